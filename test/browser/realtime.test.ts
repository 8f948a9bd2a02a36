/**
 * The Realtime section in real Chromium against the real server (espeak engine): the page opens the speech
 * WebSocket, and both "Speak" (one item) and "Simulate LLM" (small deltas, then a flush) bring audio back, with
 * the time to the first audio shown and the events logged; leaving the section closes the session.
 */
import { expect } from "chai";
import type { Page } from "playwright-core";
import { saveScreenshot, useStudio, watchPage, expectCleanPage } from "../helpers/browser.js";

describe("studio: Realtime in Chromium", function () {
  this.timeout(240_000);
  const studio = useStudio();

  async function openConnected(): Promise<{ page: Page; errors: string[] }> {
    const opened = await studio.open("realtime");
    await opened.page
      .getByRole("status")
      .filter({ hasText: /^Connected \(session sess_/ })
      .waitFor();
    return opened;
  }

  /** The server's own count of open realtime sessions (GET /metrics), polled until it is `count`. */
  async function waitForOpenSessions(page: Page, count: number): Promise<void> {
    await page.waitForFunction(async (expected) => {
      const metrics = await (await fetch("/metrics")).text();
      return new RegExp(`^realtime_sessions_open ${expected}$`, "m").test(metrics);
    }, count);
  }

  const deltas = async (page: Page) =>
    Number(await page.locator("dt", { hasText: "Audio deltas" }).locator("+ dd").textContent());

  /** Waits for the item to finish, then reads the time to first audio the page shows. */
  async function firstAudioMs(page: Page): Promise<number> {
    await page.locator("dt", { hasText: "Items finished" }).locator("+ dd", { hasText: "1" }).waitFor();
    const line = await page.getByText(/^Time to first audio:/).textContent();
    const match = /^Time to first audio: (\d+) ms$/.exec(line ?? "");
    expect(match, line ?? "").to.not.equal(null);
    return Number(match![1]);
  }

  it("Speak sends the text as one item and plays the audio that comes back", async () => {
    const { page, errors } = await openConnected();
    await page.getByLabel("Text to speak").fill("Hello there. This is the realtime section speaking.");
    await page.getByRole("button", { name: "Speak" }).click();
    expect(await firstAudioMs(page)).to.be.above(0);
    expect(await deltas(page)).to.be.above(0);
    expect(Number(await page.locator("dt", { hasText: "Bytes received" }).locator("+ dd").textContent())).to.be.above(
      24_000,
    );
    const log = page.getByRole("list", { name: /Event log/ });
    expect(await log.innerText()).to.match(/→ sent input_text\.append: "Hello there\./);
    expect(await log.innerText()).to.match(/← received speech\.audio\.done item_1/);
    await saveScreenshot(page, "realtime-speak");
    await expectCleanPage(page, errors);
    await page.close();
  });

  it("Simulate LLM sends small deltas then flushes, and audio starts before the last delta", async () => {
    const { page, errors } = await openConnected();
    const text = "The first sentence arrives early. The second one follows word by word. And the third ends it.";
    await page.getByLabel("Text to speak").fill(text);
    await page.getByLabel("Words per delta (Simulate LLM)").fill("2");
    await page.getByLabel("Delay between deltas in ms (Simulate LLM)").fill("150");
    await page.getByRole("button", { name: "Simulate LLM" }).click();
    expect(await firstAudioMs(page)).to.be.above(0);
    expect(await deltas(page)).to.be.above(0);
    const log = await page.getByRole("list", { name: /Event log/ }).innerText();
    const appends = log.split("\n").filter((line) => line.includes("input_text.append"));
    expect(appends.length).to.equal(Math.ceil(text.split(/(?=\s)/).length / 2));
    // The first audio came back while words were still being sent, as with a real LLM.
    const lines = log.split("\n");
    const firstDelta = lines.findIndex((line) => line.includes("speech.audio.delta"));
    const lastAppend = lines.map((line) => line.includes("input_text.append")).lastIndexOf(true);
    expect(firstDelta).to.be.below(lastAppend);
    await saveScreenshot(page, "realtime-simulate");
    await expectCleanPage(page, errors);
    await page.close();
  });

  it("Stop interrupts the simulated answer: the server cancels and no more text is sent", async () => {
    const { page, errors } = await openConnected();
    const sentence = "This answer goes on and on while the user decides to interrupt it.";
    await page.getByLabel("Text to speak").fill(Array.from({ length: 8 }, () => sentence).join(" "));
    await page.getByLabel("Words per delta (Simulate LLM)").fill("1");
    await page.getByLabel("Delay between deltas in ms (Simulate LLM)").fill("100");
    await page.getByRole("button", { name: "Simulate LLM" }).click();
    await page.locator("dt", { hasText: "Audio deltas" }).locator("+ dd", { hasNotText: /^0$/ }).waitFor();
    await page.getByRole("button", { name: "Stop (barge-in)" }).click();
    const log = page.getByRole("list", { name: /Event log/ });
    await log.getByText("response.cancelled item_1").waitFor();
    await page.getByRole("button", { name: "Simulate LLM" }).and(page.locator(":enabled")).waitFor();
    const lines = (await log.innerText()).split("\n");
    const cancel = lines.findIndex((line) => line.includes("sent response.cancel"));
    expect(lines.slice(cancel).some((line) => line.includes("input_text.append"))).to.equal(false);
    expect(lines.some((line) => line.includes("speech.audio.done"))).to.equal(false);
    await saveScreenshot(page, "realtime-stopped");
    expect(errors).to.deep.equal([]);
    await page.close();
  });

  it("closes the session when the user leaves the section", async () => {
    const { page, errors } = await openConnected();
    await waitForOpenSessions(page, 1);
    await page.getByRole("link", { name: "Generate", exact: true }).click();
    await page.getByRole("heading", { level: 2, name: "Generate" }).waitFor();
    await waitForOpenSessions(page, 0);
    expect(errors).to.deep.equal([]);
    await page.close();
  });
});

describe("studio: Realtime in Chromium with API keys on", function () {
  this.timeout(240_000);
  const studio = useStudio("auth:\n  enabled: true\n");

  it("connects with the key as a WebSocket subprotocol and speaks", async () => {
    const { secret } = studio.app.services.keys.create({ name: "studio", scopes: ["realtime", "voices:read"] }, "test");
    const page = await studio.browser.newPage();
    const { errors } = watchPage(page);
    const offered: string[] = [];
    page.on("websocket", (socket) => offered.push(socket.url()));
    // As after the user gave the key in this tab (the studio keeps it in session storage).
    await page.addInitScript((key) => sessionStorage.setItem("studio.apiKey", key), secret);
    await page.goto(`${studio.app.baseUrl}/ui/#/realtime`);
    await page
      .getByRole("status")
      .filter({ hasText: /^Connected \(session sess_/ })
      .waitFor();
    await page.getByRole("button", { name: "Speak" }).click();
    await page.locator("dt", { hasText: "Items finished" }).locator("+ dd", { hasText: "1" }).waitFor();
    expect(Number(await page.locator("dt", { hasText: "Audio deltas" }).locator("+ dd").textContent())).to.be.above(0);
    // The key travels in the handshake only, never in the URL.
    expect(offered).to.have.length(1);
    expect(offered[0]).to.not.include(secret);
    expect(errors).to.deep.equal([]);
    await page.close();
  });
});
