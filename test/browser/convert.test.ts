/**
 * The Convert section in Chromium against the real server (espeak's signal-level conversion): a source
 * uploaded in the form is converted to a library voice; the result decodes and plays to its end, its file is
 * on disk, and the A/B button hands playback from the source to the result.
 */
import { expect } from "chai";
import { readdir } from "node:fs/promises";
import { join } from "node:path";
import { overflowAtPhoneWidth, saveScreenshot, useStudio, expectCleanPage } from "../helpers/browser.js";
import { buildS16Wav, harmonicTone, mono } from "../helpers/wav-builder.js";

const RATE = 24_000;
const voiceLike = (f0: number, seconds: number) =>
  buildS16Wav(mono(RATE, harmonicTone({ f0, seconds, sampleRate: RATE, harmonics: [0.4, 0.2, 0.1] })));

const DESKTOP = { width: 1280, height: 900 };

describe("studio Convert section in Chromium", function () {
  this.timeout(240_000);
  const studio = useStudio();

  before(async () => {
    const form = new FormData();
    form.set("voice_file", new Blob([new Uint8Array(voiceLike(200, 3))], { type: "audio/wav" }), "target.wav");
    form.set("name", "Target");
    const upload = await fetch(`${studio.app.baseUrl}/api/v1/voice`, { method: "POST", body: form });
    expect(upload.status).to.equal(200);
  });

  const isPaused = (label: string) => `document.querySelector('audio[aria-label="${label}"]').paused`;

  it("converts an uploaded recording, plays the result, and switches A/B at the same moment", async () => {
    const { page, errors } = await studio.open("convert");
    await page
      .getByLabel("Source audio")
      .setInputFiles({ name: "line.wav", mimeType: "audio/wav", buffer: voiceLike(120, 2) });
    await page.getByLabel("Target voice (required)").selectOption({ label: "Target" });
    await page.getByLabel("Pitch shift").fill("2");
    await page.getByRole("button", { name: "Convert", exact: true }).click();
    await page.getByRole("heading", { name: "Result", exact: true }).waitFor({ timeout: 60_000 });

    const seconds = await page.evaluate(async () => {
      const audio = document.querySelector<HTMLAudioElement>('audio[aria-label="B: converted result"]')!;
      const bytes = await (await fetch(audio.src)).arrayBuffer();
      return (await new OfflineAudioContext(1, 1, 44_100).decodeAudioData(bytes)).duration;
    });
    expect(seconds).to.be.within(1.8, 2.2);
    const made = (await readdir(studio.app.config.paths.outputs)).filter((name) => /^vc_.*_pitch2\.0\.wav$/.test(name));
    expect(made).to.have.length(1);
    await page.getByRole("button", { name: /^Download WAV/ }).waitFor();

    await page.evaluate(() =>
      document.querySelector<HTMLAudioElement>('audio[aria-label="B: converted result"]')!.play(),
    );
    await page.waitForFunction(
      () => document.querySelector<HTMLAudioElement>('audio[aria-label="B: converted result"]')!.ended,
      undefined,
      { timeout: 30_000 },
    );
    await saveScreenshot(page, "convert-result");

    await page.evaluate(() =>
      document.querySelector<HTMLAudioElement>('audio[aria-label="A: source recording"]')!.play(),
    );
    await page.waitForFunction(`!${isPaused("A: source recording")}`);
    await page.getByRole("button", { name: "A/B: switch to B (result)" }).click();
    await page.waitForFunction(`!${isPaused("B: converted result")} && ${isPaused("A: source recording")}`);
    await page.getByText("Selected: B, the result").waitFor();
    await page.getByRole("button", { name: "A/B: switch to A (source)" }).click();
    await page.waitForFunction(`!${isPaused("A: source recording")} && ${isPaused("B: converted result")}`);
    await saveScreenshot(page, "convert-ab");
    const overflow = await overflowAtPhoneWidth(page);
    expect(overflow, "horizontal scrolling at a phone's width").to.be.at.most(0);
    await saveScreenshot(page, "convert-ab-phone");
    await page.setViewportSize(DESKTOP);

    await expectCleanPage(page, errors);
    await page.close();
  });

  it("converts a recording of the VC inputs library, sending the changed list and text settings as JSON", async () => {
    const form = new FormData();
    form.set("vc_input_file", new Blob([new Uint8Array(voiceLike(150, 2))], { type: "audio/wav" }), "take.wav");
    form.set("text", "A stand-in take");
    form.set("project", "takes");
    const upload = await fetch(`${studio.app.baseUrl}/api/v1/vc_input`, { method: "POST", body: form });
    expect(upload.status).to.equal(200);

    const { page, errors } = await studio.open("convert");
    await page.getByLabel("A recording in the VC inputs library").check();
    await page.getByLabel("Recording", { exact: true }).selectOption("takes/take.wav");
    await page.getByLabel("Target voice (required)").selectOption({ label: "Target" });
    const formats = page.getByRole("group", { name: "Export formats" });
    for (const box of await formats.getByRole("checkbox").all()) await box.uncheck();
    await formats.getByLabel("flac", { exact: true }).check();
    await page.getByLabel("Project").fill("dubbing");
    await page.getByRole("button", { name: "Convert", exact: true }).click();
    await page.getByRole("button", { name: /^Download FLAC/ }).waitFor({ timeout: 60_000 });
    expect(await page.getByRole("button", { name: /^Download/ }).count()).to.equal(1);
    const made = await readdir(join(studio.app.config.paths.outputs, "dubbing"));
    expect(made.filter((name) => name.endsWith(".flac"))).to.have.length(1);
    await page.waitForFunction(
      () => document.querySelector<HTMLAudioElement>('audio[aria-label="B: converted result"]')!.duration > 1.5,
    );
    await saveScreenshot(page, "convert-library-source");

    await expectCleanPage(page, errors);
    await page.close();
  });
});
