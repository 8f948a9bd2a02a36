/**
 * The interactive API reference in real Chromium: /docs renders the operations of /openapi.json under its
 * strict Content-Security-Policy without a single error, and "Try it out" on POST /api/v1/tts speaks for real
 * (real sidecar, espeak engine) and shows the 200 in the response panel.
 */
import { expect } from "chai";
import type { Page } from "playwright-core";
import { TTS_EXAMPLE } from "../../src/http/openapi/paths-speech.js";
import { saveScreenshot, useStudio, watchPage } from "../helpers/browser.js";

describe("API reference (/docs) in Chromium", function () {
  this.timeout(180_000);
  const studio = useStudio();
  let page: Page;
  let errors: string[];

  before(async () => {
    page = await studio.browser.newPage({ viewport: { width: 1280, height: 900 } });
    ({ errors } = watchPage(page));
    await page.goto(`${studio.app.baseUrl}/docs`);
  });

  it("lists the operations of /openapi.json, with no console error", async () => {
    await page.locator(".opblock").first().waitFor();
    const document = (await (await fetch(`${studio.app.baseUrl}/openapi.json`)).json()) as { paths: object };
    const operations = Object.values(document.paths).flatMap((methods) => Object.keys(methods as object)).length;
    expect(await page.locator(".opblock").count()).to.equal(operations);
    expect(await page.locator(".info .title").textContent()).to.contain("Chatterbox");
    await saveScreenshot(page, "api-docs");
    expect(errors).to.deep.equal([]);
  });

  it("'Try it out' on POST /api/v1/tts speaks and shows the 200", async () => {
    const operation = page.locator("#operations-TTS-createSpeech");
    await operation.locator(".opblock-summary").click();
    await operation.getByRole("button", { name: "Try it out" }).click();
    await operation.locator("textarea.body-param__text").fill(JSON.stringify(TTS_EXAMPLE, null, 2));
    await operation.getByRole("button", { name: "Execute" }).click();
    const status = operation.locator(".live-responses-table tr.response .response-col_status").first();
    await status.waitFor({ timeout: 120_000 });
    expect((await status.textContent())?.trim()).to.equal("200");
    // The response headers the panel lists: the WAV the request asked for.
    const shown = await operation.locator(".live-responses-table tr.response .response-col_description").textContent();
    expect(shown).to.match(/content-type: audio\/wav/i);
    await saveScreenshot(page, "api-docs-tts-try-it-out");
    expect(errors).to.deep.equal([]);
  });
});
