/**
 * The Generate section in real Chromium against the real server (espeak engine): a generation plays to its
 * end with its waveform drawn, each file downloads as the bytes the server holds, only the fields the user
 * changed are sent, progressive playback speaks before the end and its take can be saved, the server's 422
 * shows beside the form, and the schema's help text and defaults are on the page. Every format the API makes is
 * offered and downloads as a file an independent reader decodes, and the server's warnings are shown.
 */
import { expect } from "chai";
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { EXPORT_FORMATS } from "../../src/domain/tts-fields.js";
import { CAPTION_FORMATS } from "../../src/text/captions.js";
import {
  playToEnd,
  overflowAtPhoneWidth,
  saveScreenshot,
  seriousAxeViolations,
  useStudio,
  watchPage,
  expectCleanPage,
} from "../helpers/browser.js";
import { cuesOf } from "../helpers/caption-cues.js";
import { probeAudio } from "../helpers/ffprobe.js";
import { buildS16Wav, harmonicTone, mono } from "../helpers/wav-builder.js";

const TEXT = "Hello from the studio. This sentence is spoken by the espeak engine.";

describe("studio: Generate in Chromium", function () {
  this.timeout(240_000);
  const studio = useStudio();

  async function openGenerate(): Promise<{ page: Page; errors: string[] }> {
    const opened = await studio.open("generate");
    await opened.page.getByLabel("Text", { exact: true }).waitFor();
    return opened;
  }

  /** Every body the page POSTs to /api/v1/tts, as sent. */
  function watchTtsBodies(page: Page): Array<Record<string, unknown>> {
    const bodies: Array<Record<string, unknown>> = [];
    page.on("request", (request) => {
      if (request.method() === "POST" && new URL(request.url()).pathname === "/api/v1/tts") {
        bodies.push(request.postDataJSON() as Record<string, unknown>);
      }
    });
    return bodies;
  }

  const outputFiles = async () =>
    (await readdir(join(studio.app.dir, "outputs"))).filter((name) => !name.endsWith(".json"));

  it("generates, plays to the end with its waveform, downloads each file as the server has it, shows the metadata", async () => {
    const { page, errors } = await openGenerate();
    await page.getByLabel("Text", { exact: true }).fill(TEXT);
    await page.getByRole("button", { name: "Generate" }).click();
    const wavLink = page.getByRole("link", { name: /^Download WAV/ });
    await wavLink.waitFor();
    expect(await page.getByRole("status").filter({ hasText: "Saved" }).textContent()).to.match(/Saved 2 files/);

    const player = page.getByLabel("Generated speech (wav)");
    await playToEnd(player);
    await page.waitForFunction(() => {
      const canvas = document.querySelector<HTMLCanvasElement>("canvas.waveform");
      const context = canvas?.getContext("2d");
      if (!canvas || !context || canvas.width === 0) return false;
      const pixels = context.getImageData(0, 0, canvas.width, canvas.height).data;
      let drawn = 0;
      for (let i = 3; i < pixels.length; i += 4) if (pixels[i]! > 0) drawn++;
      return drawn > canvas.width;
    });

    for (const format of ["WAV", "MP3"]) {
      const link = page.getByRole("link", { name: new RegExp(`^Download ${format}`) });
      const [download] = await Promise.all([page.waitForEvent("download"), link.click()]);
      const downloaded = await readFile((await download.path())!);
      const served = Buffer.from(
        await (await fetch(studio.app.baseUrl + (await link.getAttribute("href")))).arrayBuffer(),
      );
      expect(download.suggestedFilename()).to.match(new RegExp(`\\.${format.toLowerCase()}$`));
      expect(downloaded.equals(served), `${format} download equals the served file`).to.equal(true);
    }

    const facts = page.getByRole("region", { name: "Result" }).locator("dl.facts");
    await facts.getByText("Voice method").waitFor();
    const shown = await facts.innerText();
    expect(shown).to.match(/Engine\s+espeak/);
    expect(shown).to.match(/Seed\s+\d+/);
    expect(shown).to.match(/Duration\s+\d+\.\d\d s/);
    expect(shown).to.match(/Voice\s+the engine's own voice\s+Voice method\s+none/);
    await saveScreenshot(page, "generate-result");
    expect(await seriousAxeViolations(page)).to.deep.equal([]);
    expect(await overflowAtPhoneWidth(page)).to.be.at.most(0);
    await saveScreenshot(page, "generate-result-phone");
    expect(errors).to.deep.equal([]);
    await page.close();
  });

  it("offers every format the API makes; each downloads as a file its reader decodes, captions timed to the speech", async () => {
    const { page, errors } = await openGenerate();
    await page.getByLabel("Text", { exact: true }).fill(TEXT);
    await page.locator("details > summary", { hasText: "Output" }).click();
    const offered: string[] = [];
    for (const group of ["Export formats", "Caption formats"]) {
      for (const box of await page.getByRole("group", { name: group }).getByRole("checkbox").all()) {
        await box.check();
        offered.push((await box.evaluate((input) => input.parentElement!.textContent!)).trim());
      }
    }
    expect(offered).to.deep.equal([...EXPORT_FORMATS, ...CAPTION_FORMATS]);
    await page.getByRole("button", { name: "Generate" }).click();
    await page
      .getByRole("status")
      .filter({ hasText: `Saved ${offered.length} files` })
      .waitFor();

    const downloaded = new Map<string, { name: string; bytes: Buffer; path: string }>();
    for (const link of await page.locator("ul.downloads").getByRole("link").all()) {
      const format = /^Download (\w+)/.exec((await link.textContent())!)![1]!.toLowerCase();
      const [download] = await Promise.all([page.waitForEvent("download"), link.click()]);
      const path = (await download.path())!;
      downloaded.set(format, { name: download.suggestedFilename(), bytes: await readFile(path), path });
    }
    expect([...downloaded.keys()]).to.deep.equal(offered);
    const extensions = [...downloaded.values()].map(({ name }) => name.split(".").pop());
    expect(extensions).to.deep.equal(["wav", "mp3", "flac", "opus", "m4a", "pcm", "srt", "vtt"]);

    // Each compressed file is the same speech as the WAV, in the codec its name promises.
    const wav = await probeAudio(downloaded.get("wav")!.path);
    expect(wav.codecName).to.equal("pcm_f32le");
    const codecs = { mp3: "mp3", flac: "flac", opus: "opus", aac: "aac" };
    for (const [format, codec] of Object.entries(codecs)) {
      const probed = await probeAudio(downloaded.get(format)!.path);
      expect(probed.codecName, format).to.equal(codec);
      expect(probed.durationSeconds, `${format} lasts as long as the WAV`).to.be.closeTo(wav.durationSeconds!, 0.1);
    }
    // Raw PCM has no header for a reader to find: it is 16-bit samples, as many as the WAV has.
    expect(downloaded.get("pcm")!.bytes.length / 2).to.be.closeTo(wav.durationSeconds! * wav.sampleRate, 1);

    const srt = downloaded.get("srt")!.bytes.toString("utf8");
    const vtt = downloaded.get("vtt")!.bytes.toString("utf8");
    expect(vtt.startsWith("WEBVTT")).to.equal(true);
    const cues = cuesOf(srt);
    expect(cuesOf(vtt)).to.deep.equal(cues);
    expect(cues.map((cue) => cue.text).join(" ")).to.equal(TEXT);
    expect(cues[0]!.startMs).to.equal(0);
    expect(cues.at(-1)!.endMs).to.be.closeTo(wav.durationSeconds! * 1000, 20);
    await saveScreenshot(page, "generate-every-format");
    expect(errors).to.deep.equal([]);
    await page.close();
  });

  it("shows the warnings the server gives, here for a field the espeak engine does not use", async () => {
    const { page, errors } = await openGenerate();
    await page.getByLabel("Text", { exact: true }).fill(TEXT);
    await page.getByLabel("CFG weight", { exact: true }).fill("0.3");
    const [response] = await Promise.all([
      page.waitForResponse((answer) => new URL(answer.url()).pathname === "/api/v1/tts"),
      page.getByRole("button", { name: "Generate" }).click(),
    ]);
    const { warnings } = (await response.json()) as { warnings: string[] };
    expect(warnings).to.include("the espeak engine does not use cfg_weight; it has no effect");

    const result = page.getByRole("region", { name: "Result" });
    const list = result.getByRole("list", { name: "Warnings and ignored parameters" });
    await list.waitFor();
    expect(await list.getByRole("listitem").allTextContents()).to.deep.equal(warnings);
    expect(await result.getByText("No warnings").count()).to.equal(0);
    await saveScreenshot(page, "generate-warnings");
    await expectCleanPage(page, errors);
    await page.close();
  });

  it("sends the fields the user changed and no others", async () => {
    const { page, errors } = await openGenerate();
    const bodies = watchTtsBodies(page);
    await page.getByLabel("Text", { exact: true }).fill(TEXT);
    await page.getByLabel("Speed factor", { exact: true }).fill("1.5");
    await page.getByLabel("Seed", { exact: true }).fill("42");
    await page.getByRole("button", { name: "Generate" }).click();
    await page.getByRole("link", { name: /^Download WAV/ }).waitFor();

    expect(bodies).to.deep.equal([{ text: TEXT, speed_factor: 1.5, seed: 42 }]);
    const href = (await page.getByRole("link", { name: /^Download WAV/ }).getAttribute("href"))!;
    expect(href).to.match(/_seed42_speed1\.5\.wav$/);
    const entry = await (await fetch(`${studio.app.baseUrl}/api/v1${href}/metadata`)).json();
    expect(entry.metadata.parameters).to.include({ speed_factor: 1.5, seed: 42, exaggeration: 0.5 });
    expect(await page.getByRole("region", { name: "Result" }).locator("dl.facts").innerText()).to.match(/Seed\s+42/);
    await saveScreenshot(page, "generate-changed-fields");
    await expectCleanPage(page, errors);
    await page.close();
  });

  it("speaks in the library voice the user picks, and says how the voice was applied", async () => {
    const form = new FormData();
    const wav = buildS16Wav(
      mono(24_000, harmonicTone({ f0: 210, seconds: 4, sampleRate: 24_000, harmonics: [0.4, 0.2, 0.1] })),
    );
    form.set("voice_file", new Blob([new Uint8Array(wav)], { type: "audio/wav" }), "Studio Voice.wav");
    expect((await fetch(`${studio.app.baseUrl}/api/v1/voice`, { method: "POST", body: form })).status).to.equal(200);
    const { page, errors } = await openGenerate();
    const bodies = watchTtsBodies(page);
    await page.getByLabel("Text", { exact: true }).fill(TEXT);
    await page.getByLabel("Reference voice").selectOption({ label: "Studio Voice" });
    await page.getByRole("button", { name: "Generate" }).click();
    const facts = page.getByRole("region", { name: "Result" }).locator("dl.facts");
    await facts.getByText("Voice method").waitFor();
    expect(bodies).to.deep.equal([{ text: TEXT, reference_audio_filename: "Studio Voice.wav" }]);
    expect(await facts.innerText()).to.match(/Voice\s+Studio Voice\.wav\s+Voice method\s+signal-level/);
    await saveScreenshot(page, "generate-voice");
    expect(errors).to.deep.equal([]);
    await page.close();
  });

  it("plays while generating, shows the time to first audio, and saves the same take on request", async () => {
    const { page, errors } = await openGenerate();
    const bodies = watchTtsBodies(page);
    const before = await outputFiles();
    await page.getByLabel("Text", { exact: true }).fill(`${TEXT} A third sentence follows. And a fourth one ends it.`);
    await page.getByLabel(/Play while generating/).check();
    await page.getByRole("button", { name: "Generate" }).click();

    const firstAudio = page.locator("dt", { hasText: "Time to first audio" }).locator("+ dd");
    await page.waitForFunction(() => /^\d+ ms$/.test(document.querySelector("dl.facts dd")?.textContent ?? ""));
    expect(Number((await firstAudio.textContent())!.replace(" ms", ""))).to.be.above(0);
    await page.waitForFunction(() => {
      const audio = document.querySelector<HTMLAudioElement>('audio[aria-label="Speech as it is generated"]');
      return audio !== null && (audio.ended || audio.currentTime > 0.5);
    });
    await page.getByRole("status").filter({ hasText: "Streamed" }).waitFor();
    expect(await page.getByText("not saved").count()).to.equal(1);
    expect(await outputFiles()).to.deep.equal(before);
    await saveScreenshot(page, "generate-progressive");

    const seed = Number(
      await page
        .locator("dt", { hasText: /^Seed$/ })
        .locator("+ dd")
        .textContent(),
    );
    await page.getByRole("button", { name: "Save this take" }).click();
    await page.getByRole("link", { name: /^Download WAV/ }).waitFor();
    expect(bodies).to.have.length(2);
    expect(bodies[1]).to.deep.equal({ ...bodies[0], seed });
    const saved = (await outputFiles()).filter((name) => !before.includes(name));
    expect(saved.map((name) => name.split(".").pop()).sort()).to.deep.equal(["mp3", "wav"]);
    expect(saved[0]).to.include(`_seed${seed}`);
    await saveScreenshot(page, "generate-progressive-saved");
    await expectCleanPage(page, errors);
    await page.close();
  });

  it("shows the server's 422 message for a value out of range", async () => {
    const { page, errors } = await openGenerate();
    await page.getByLabel("Text", { exact: true }).fill(TEXT);
    await page.getByLabel("Temperature", { exact: true }).fill("5");
    await page.getByRole("button", { name: "Generate" }).click();
    const alert = page.getByRole("alert").filter({ hasText: "temperature" });
    await alert.waitFor();
    expect(await alert.textContent()).to.equal("temperature: must be between 0.1 and 2");
    expect(await page.getByRole("status").textContent()).to.equal("Failed.");
    await saveScreenshot(page, "generate-422");
    expect(await seriousAxeViolations(page)).to.deep.equal([]);
    // The refused request is the one error the browser logs; nothing else may be.
    expect(errors.filter((error) => !/status of 422/.test(error))).to.deep.equal([]);
    await page.close();
  });

  it("shows each field's help text and default from the schema", async () => {
    const { page, errors } = await openGenerate();
    const schema = await (await fetch(`${studio.app.baseUrl}/openapi.json`)).json();
    const exaggeration = schema.components.schemas.TtsRequest.properties.exaggeration;
    const field = page.getByLabel("Exaggeration", { exact: true });
    const helpId = (await field.getAttribute("aria-describedby"))!;
    const help = await page.locator(`[id="${helpId}"]`).textContent();
    expect(help).to.include(exaggeration.description);
    expect(help).to.include("Default 0.5.");
    expect(help).to.include("0 to 2.");
    expect(await field.getAttribute("min")).to.equal("0");
    expect(await field.getAttribute("max")).to.equal("2");
    // The rarely used groups start folded, every field still one click away.
    for (const group of ["Output", "Whisper verification", "Text processing", "Post-processing"]) {
      expect(await page.locator("details > summary", { hasText: group }).count(), group).to.equal(1);
    }
    await page.locator("details > summary", { hasText: "Output" }).click();
    await page.getByRole("group", { name: "Export formats" }).getByLabel("flac").waitFor();
    await saveScreenshot(page, "generate-form");
    await expectCleanPage(page, errors);
    await page.close();
  });
});

describe("studio: Generate in Chromium with API keys on", function () {
  this.timeout(240_000);
  const studio = useStudio("auth:\n  enabled: true\n");
  let secret: string;

  before(async () => {
    const scopes = ["tts", "files:read", "voices:read"] as const;
    secret = studio.app.services.keys.create({ name: "studio", scopes: [...scopes] }, "test").secret;
  });

  it("plays and downloads the generated files with the key, which a media element or link could not send", async () => {
    const page = await studio.browser.newPage();
    const { errors } = watchPage(page);
    // As after the user gave the key in this tab (the studio keeps it in session storage).
    await page.addInitScript((key) => sessionStorage.setItem("studio.apiKey", key), secret);
    await page.goto(`${studio.app.baseUrl}/ui/#/generate`);
    await page.getByLabel("Text", { exact: true }).fill(TEXT);
    await page.getByRole("button", { name: "Generate" }).click();
    const mp3 = page.getByRole("link", { name: /^Download MP3/ });
    await mp3.waitFor();
    await playToEnd(page.getByLabel("Generated speech (wav)"));
    const [download] = await Promise.all([page.waitForEvent("download"), mp3.click()]);
    const served = await fetch(studio.app.baseUrl + (await mp3.getAttribute("href")), {
      headers: { Authorization: `Bearer ${secret}` },
    });
    expect((await readFile((await download.path())!)).equals(Buffer.from(await served.arrayBuffer()))).to.equal(true);
    await page.getByRole("region", { name: "Result" }).getByText("Voice method").waitFor();
    expect(errors).to.deep.equal([]);
    await page.close();
  });
});
