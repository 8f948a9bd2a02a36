/**
 * The Voices section in Chromium against the real server: a voice uploaded through the form is listed with its
 * folder, found by search, edited and moved, counted when TTS uses it, and deleted (from disk too) after a
 * confirmation, with no page errors and no serious accessibility violation. Then the whole way a user takes: a
 * voice uploaded here, in a library larger than the voice picker's page, is found with the picker's search in
 * Generate, previewed, and spoken with.
 */
import { expect } from "chai";
import { existsSync } from "node:fs";
import { join } from "node:path";
import type { Page } from "playwright-core";
import {
  overflowAtPhoneWidth,
  saveScreenshot,
  seriousAxeViolations,
  useStudio,
  expectCleanPage,
} from "../helpers/browser.js";
import { buildS16Wav, harmonicTone, mono, sine } from "../helpers/wav-builder.js";

const DESKTOP = { width: 1280, height: 900 };

describe("studio Voices section in Chromium", function () {
  this.timeout(240_000);
  const studio = useStudio();

  it("uploads, finds, edits and moves a voice, shows its use, and deletes it after a confirmation", async () => {
    const { baseUrl } = studio.app;
    const { page, errors } = await studio.open("voices");
    const wav = buildS16Wav(mono(24_000, sine({ freq: 220, seconds: 2, sampleRate: 24_000 })));
    await page
      .getByLabel("Voice recording")
      .setInputFiles({ name: "studio-narrator.wav", mimeType: "audio/wav", buffer: wav });
    await page.getByLabel("Name", { exact: true }).fill("Studio Narrator");
    await page.getByLabel("Tags", { exact: true }).fill("narration, calm");
    await page.getByLabel("Folder", { exact: true }).fill("characters/narrators");
    await page.getByRole("button", { name: "Upload voice" }).click();
    await page.getByText("Voice 'Studio Narrator' uploaded successfully").waitFor();

    const row = page.getByRole("row", { name: /Studio Narrator/ });
    await row.waitFor();
    expect(await row.getByRole("cell").nth(0).textContent()).to.equal("characters/narrators");
    expect(await row.getByRole("cell").nth(2).textContent()).to.equal("narration, calm");
    const tree = page.getByRole("navigation", { name: "Voice folders" });
    await tree.getByRole("button", { name: /^narrators \(1\)$/ }).waitFor();
    await saveScreenshot(page, "voices-uploaded");
    expect(await seriousAxeViolations(page)).to.deep.equal([]);
    const overflow = await overflowAtPhoneWidth(page);
    expect(overflow, "horizontal scrolling at a phone's width").to.be.at.most(0);
    await saveScreenshot(page, "voices-uploaded-phone");
    await page.setViewportSize(DESKTOP);

    await row.getByRole("button", { name: "Play Studio Narrator" }).click();
    await page.waitForFunction(
      () => document.querySelector<HTMLAudioElement>('audio[aria-label="Preview of Studio Narrator"]')?.ended === true,
      undefined,
      { timeout: 30_000 },
    );

    const search = page.getByLabel("Search", { exact: true });
    await search.fill("no such voice");
    await page.getByText("No voices match.").waitFor();
    await search.fill("CALM");
    await row.waitFor();
    await search.fill("");

    await row.getByRole("button", { name: "Edit Studio Narrator" }).click();
    const editor = page.getByRole("dialog", { name: "Edit Studio Narrator" });
    await editor.getByLabel("Description").fill("Edited in the studio");
    await editor.getByLabel("Folder").fill("archive");
    await editor.getByRole("button", { name: "Save changes" }).click();
    await editor.waitFor({ state: "detached" });
    await tree.getByRole("button", { name: /^archive \(1\)$/ }).waitFor();
    const moved = await (await fetch(`${baseUrl}/api/v1/voices/archive/studio-narrator.wav`)).json();
    expect(moved).to.include({ description: "Edited in the studio", folder_path: "archive" });
    await saveScreenshot(page, "voices-edited");

    const tts = await fetch(`${baseUrl}/api/v1/tts?response_mode=json`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({
        text: "Hello from the studio.",
        reference_audio_filename: moved.path,
        export_formats: ["wav"],
      }),
    });
    expect(tts.status).to.equal(200);
    await page.reload();
    await row.waitFor();
    expect(await row.getByRole("cell").nth(3).textContent()).to.equal("1");
    expect(await row.getByRole("cell").nth(4).textContent()).to.not.equal("never");
    await saveScreenshot(page, "voices-used");

    await row.getByRole("button", { name: "Delete Studio Narrator" }).click();
    const confirm = page.getByRole("dialog", { name: "Delete this voice?" });
    await saveScreenshot(page, "voices-delete-confirmation");
    expect(await seriousAxeViolations(page)).to.deep.equal([]);
    await confirm.getByRole("button", { name: "Delete voice" }).click();
    await row.waitFor({ state: "detached" });
    await page.getByText("No voices match.").waitFor();
    expect(existsSync(join(studio.app.config.paths.referenceAudio, "archive", "studio-narrator.wav"))).to.equal(false);

    await expectCleanPage(page, errors);
    await page.close();
  });

  it("shows why the server refused an upload, and lists nothing new", async () => {
    const { page, errors } = await studio.open("voices");
    await page
      .getByLabel("Voice recording")
      .setInputFiles({ name: "notes.wav", mimeType: "audio/wav", buffer: Buffer.from("these are not sounds\n") });
    await page.getByRole("button", { name: "Upload voice" }).click();
    await page
      .getByRole("alert")
      .getByText(/not audio in a supported format/)
      .waitFor();
    expect(await page.getByText("No voices match.").count()).to.equal(1);
    await saveScreenshot(page, "voices-upload-refused");
    expect(await seriousAxeViolations(page)).to.deep.equal([]);
    // The refused request is the page's only error: the browser logs every failed request.
    expect(errors).to.deep.equal([
      "console: Failed to load resource: the server responded with a status of 415 (Unsupported Media Type)",
    ]);
    await page.close();
  });

  it("records a voice from the microphone (Chromium's fake device) and uploads the recording", async () => {
    const { page, errors } = await studio.open("voices");
    const upload = page.getByRole("form", { name: "Upload a voice" });
    await upload.getByRole("button", { name: "Record", exact: true }).click();
    await upload.getByText("Recording…").waitFor();
    // The elapsed time is what a user watches before stopping: wait until a second of sound is in.
    await upload.getByText(/^[1-9]\d*\.\d s recorded$/).waitFor();
    await upload.getByRole("button", { name: "Stop recording" }).click();
    await upload.getByText(/^Selected: recording-\d+\.(webm|ogg)$/).waitFor();
    await page.getByLabel("Name", { exact: true }).fill("Microphone Take");
    await page.getByRole("button", { name: "Upload voice" }).click();
    await page.getByText("Voice 'Microphone Take' uploaded successfully").waitFor();

    const listed = await (await fetch(`${studio.app.baseUrl}/api/v1/voices?search=Microphone`)).json();
    expect(listed.voices).to.have.length(1);
    expect(listed.voices[0].format).to.match(/^(webm|ogg)$/);
    expect(listed.voices[0].duration_seconds).to.be.at.least(0.9);
    await saveScreenshot(page, "voices-recorded");
    expect(errors).to.deep.equal([]);
    await page.close();
  });
});

describe("studio: a voice uploaded in Voices is used in Generate, in Chromium", function () {
  this.timeout(240_000);
  const studio = useStudio();
  // One page of the voice picker: every one of these sorts before the new voice, so only a search reaches it.
  const OTHER_VOICES = 100;

  before(async () => {
    const wav = new Uint8Array(buildS16Wav(mono(16_000, sine({ freq: 180, seconds: 0.5, sampleRate: 16_000 }))));
    const upload = async (n: number) => {
      const form = new FormData();
      const name = `Archive ${String(n).padStart(3, "0")}`;
      form.set("voice_file", new Blob([wav], { type: "audio/wav" }), `${name}.wav`);
      form.set("folder", "archive");
      const response = await fetch(`${studio.app.baseUrl}/api/v1/voice`, { method: "POST", body: form });
      expect(response.status, name).to.equal(200);
    };
    for (let first = 1; first <= OTHER_VOICES; first += 10) {
      await Promise.all(Array.from({ length: 10 }, (_, i) => upload(first + i)));
    }
  });

  async function uploadInVoices(page: Page): Promise<void> {
    const voiceLike = mono(24_000, harmonicTone({ f0: 210, seconds: 2, sampleRate: 24_000, harmonics: [0.4, 0.2] }));
    await page
      .getByLabel("Voice recording")
      .setInputFiles({ name: "studio-narrator.wav", mimeType: "audio/wav", buffer: buildS16Wav(voiceLike) });
    await page.getByLabel("Name", { exact: true }).fill("Studio Narrator");
    await page.getByLabel("Folder", { exact: true }).fill("narrators");
    await page.getByRole("button", { name: "Upload voice" }).click();
    await page.getByText("Voice 'Studio Narrator' uploaded successfully").waitFor();
  }

  it("uploads a voice, finds it with the picker's search, previews it and speaks with it", async () => {
    const { page, errors } = await studio.open("voices");
    const ttsBodies: unknown[] = [];
    page.on("request", (request) => {
      if (request.method() === "POST" && new URL(request.url()).pathname === "/api/v1/tts") {
        ttsBodies.push(request.postDataJSON());
      }
    });
    await uploadInVoices(page);
    await page.getByRole("navigation", { name: "Studio sections" }).getByRole("link", { name: "Generate" }).click();

    const picker = page.getByLabel("Reference voice");
    const matches = page.locator("#tts-voice-matches");
    await matches.getByText(`Showing 100 of ${OTHER_VOICES + 1} voices — refine the search.`).waitFor();
    expect(await picker.locator("option", { hasText: "Studio Narrator" }).count()).to.equal(0);

    // From the keyboard: type, and Enter searches at once and moves to the list without submitting the form.
    const search = page.getByLabel("Find a voice");
    await search.fill("narrat");
    await search.press("Enter");
    await matches.getByText("1 voice matches.").waitFor();
    expect(await page.evaluate(() => document.activeElement?.id)).to.equal("tts-voice");
    expect(ttsBodies).to.deep.equal([]);
    await picker.selectOption({ label: "narrators/Studio Narrator" });
    await saveScreenshot(page, "generate-voice-search");

    await page.getByRole("button", { name: "Preview", exact: true }).click();
    await page.waitForFunction(
      () => document.querySelector<HTMLAudioElement>('audio[aria-label="Preview of Studio Narrator"]')?.ended === true,
      undefined,
      { timeout: 30_000 },
    );
    // Searching again leaves the chosen voice chosen, though the new matches leave it out.
    await search.fill("Archive 05");
    await matches.getByText("1 voice matches.").waitFor();
    expect(await picker.inputValue()).to.equal("narrators/studio-narrator.wav");

    await page.getByLabel("Text", { exact: true }).fill("The narrator from the library speaks.");
    await page.getByRole("button", { name: "Generate" }).click();
    const facts = page.getByRole("region", { name: "Result" }).locator("dl.facts");
    await facts.getByText("Voice method").waitFor({ timeout: 60_000 });
    expect(ttsBodies).to.deep.equal([
      { text: "The narrator from the library speaks.", reference_audio_filename: "narrators/studio-narrator.wav" },
    ]);
    expect(await facts.innerText()).to.match(/Voice\s+narrators\/studio-narrator\.wav\s+Voice method\s+signal-level/);
    const voice = await (await fetch(`${studio.app.baseUrl}/api/v1/voices/narrators/studio-narrator.wav`)).json();
    expect(voice.usage_count).to.equal(1);

    await saveScreenshot(page, "generate-uploaded-voice");
    await expectCleanPage(page, errors);
    await page.close();
  });
});
