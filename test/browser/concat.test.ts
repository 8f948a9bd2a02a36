/**
 * The Concat section in real Chromium: two TTS outputs, a 700 ms silence and an uploaded WAV are put in a
 * sequence (buttons for some, drag and drop for others, a reorder by buttons), joined through
 * POST /api/v1/concat/mixed, and the result plays to its end and lasts the sum of its parts.
 */
import { expect } from "chai";
import type { Page } from "playwright-core";
import { playToEnd, saveScreenshot, seriousAxeViolations, useStudio } from "../helpers/browser.js";
import { probeAudio } from "../helpers/ffprobe.js";
import { buildS16Wav, mono, sine } from "../helpers/wav-builder.js";

const UPLOAD_SECONDS = 1;
const SILENCE_MS = 700;

interface Made {
  filename: string;
  url: string;
}

describe("studio Concat section in Chromium", function () {
  this.timeout(240_000);
  const studio = useStudio();

  const secondsOf = async (url: string) => {
    const bytes = Buffer.from(await (await fetch(`${studio.app.baseUrl}${url}`)).arrayBuffer());
    return (await probeAudio(bytes)).durationSeconds!;
  };

  async function speak(text: string): Promise<Made> {
    const response = await fetch(`${studio.app.baseUrl}/api/v1/tts?response_mode=json`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ text }),
    });
    expect(response.status).to.equal(200);
    return ((await response.json()) as { output_files: Made[] }).output_files[0]!;
  }

  const sequenceText = async (page: Page) =>
    (await page.getByRole("list", { name: "Sequence" }).locator(".concat-name").allTextContents()).map((text) =>
      text.trim(),
    );

  it("joins outputs, a silence and an upload placed by buttons and by drag and drop; the result plays", async () => {
    const first = await speak("The first clip of the sequence.");
    const second = await speak("And here is the second one.");
    const { page, errors } = await studio.open("concat");

    // The keyboard's way: Add, then a silence.
    await page.getByRole("button", { name: `Add ${first.filename}` }).click();
    await page.getByLabel("Silence length (ms)").fill(String(SILENCE_MS));
    await page.getByRole("button", { name: "Insert silence" }).click();

    // Drag and drop: the upload to the end, then the second output onto it (it goes before it).
    const wav = buildS16Wav(mono(24_000, sine({ freq: 330, seconds: UPLOAD_SECONDS, sampleRate: 24_000 })));
    await page.getByLabel("Upload audio").setInputFiles({ name: "tone.wav", mimeType: "audio/wav", buffer: wav });
    const uploaded = page
      .getByRole("list", { name: "Uploads to add" })
      .getByRole("listitem")
      .filter({ hasText: "tone.wav" });
    await uploaded.dragTo(page.locator(".sequence-end"));
    const sequence = page.getByRole("list", { name: "Sequence" });
    await sequence.getByText("tone.wav (upload)").waitFor();
    const outputs = page.getByRole("list", { name: "Outputs to add" });
    await outputs
      .getByRole("listitem")
      .filter({ hasText: second.filename })
      .dragTo(sequence.getByRole("listitem").filter({ hasText: "tone.wav" }));
    const expected = [
      `1. ${first.filename}`,
      `2. Silence ${SILENCE_MS} ms`,
      `3. ${second.filename}`,
      "4. tone.wav (upload)",
    ];
    await page.waitForFunction((count) => document.querySelectorAll(".concat-sequence li").length === count, 4);
    expect(await sequenceText(page)).to.deep.equal(expected);

    // Reordering by buttons, there and back, is announced.
    await page.getByRole("button", { name: "Move up: tone.wav (upload)" }).click();
    expect((await sequenceText(page))[2]).to.equal("3. tone.wav (upload)");
    expect(await page.getByRole("status").filter({ hasText: "Moved" }).textContent()).to.include("position 3 of 4");
    await page.getByRole("button", { name: "Move down: tone.wav (upload)" }).click();
    expect(await sequenceText(page)).to.deep.equal(expected);
    await saveScreenshot(page, "concat-sequence");

    await page.getByRole("button", { name: "Join" }).click();
    const result = page.getByRole("region", { name: "Result" });
    const player = result.getByLabel("Joined result");
    await player.waitFor();
    await playToEnd(player);
    await saveScreenshot(page, "concat-result");

    const parts = (await secondsOf(first.url)) + (await secondsOf(second.url)) + UPLOAD_SECONDS + SILENCE_MS / 1000;
    const shown = Number(await result.locator("[data-duration]").getAttribute("data-duration"));
    expect(shown).to.be.closeTo(parts, 0.15);
    const listing = (await (await fetch(`${studio.app.baseUrl}/api/v1/outputs?generation_type=concat`)).json()) as {
      files: Array<{ url: string }>;
    };
    expect(listing.files).to.have.length(1);
    expect(await secondsOf(listing.files[0]!.url)).to.be.closeTo(parts, 0.15);

    expect(errors).to.deep.equal([]);
    expect(await seriousAxeViolations(page)).to.deep.equal([]);
    await page.close();
  });
});
