/**
 * Voice conversion through HTTP with the real sidecar's espeak engine (signal-level WORLD conversion),
 * judged by measuring the audio a client downloads: the output should speak at the target voice's pitch,
 * keep the source's length, voicing and words (as Whisper hears them), and follow pitch_shift and chunking.
 * Source and target are made by the espeak-ng program itself, outside the server.
 */
import { copyFile, mkdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { expect } from "chai";
import { execa } from "execa";
import { durationSeconds } from "../../../src/audio/pcm.js";
import type { MonoPcm } from "../../../src/domain/audio.js";
import { apiClient, type Json } from "../../helpers/api-client.js";
import { espeakRecording, startEspeakApp, type EspeakApp } from "../../helpers/espeak-app.js";
import { medianF0, voicedFrames } from "../../helpers/pitch.js";
import { heardWordErrorRate, percent } from "../../helpers/word-errors.js";

/** About 6 s of a low male voice (~85 Hz): what is said, and for how long. */
const SOURCE = {
  args: ["-v", "en+m3", "-p", "30"],
  text: "The train leaves at noon. Bring a coat, because the evening will be cold. We will be back by nine.",
};
/** A bright female voice (~250 Hz): the voice to speak in. */
const TARGET = { args: ["-v", "en+f3", "-p", "70"], text: "This is the voice the recording should take on." };

describe("VC fidelity: measured conversion (real sidecar, espeak engine)", function () {
  this.timeout(120_000);
  let espeak: EspeakApp;
  let source: MonoPcm;
  let sourcePath: string;
  let targetF0: number;

  before(async () => {
    espeak = await startEspeakApp(async (config) => {
      sourcePath = join(config.paths.vcInputs, "source.wav");
      source = await espeakRecording(SOURCE.args, SOURCE.text, sourcePath);
      const targetPath = join(config.paths.referenceAudio, "target.wav");
      targetF0 = medianF0(await espeakRecording(TARGET.args, TARGET.text, targetPath));
      // The files the original project's test_core_examples converts (spec §8), the voice as an MP3.
      await mkdir(join(config.paths.vcInputs, "test_inputs"));
      await copyFile(sourcePath, join(config.paths.vcInputs, "test_inputs", "chatterbox-hello_quick_brown.wav"));
      await mkdir(join(config.paths.referenceAudio, "test_voices"));
      const mp3 = join(config.paths.referenceAudio, "test_voices", "linda_johnson_01.mp3");
      await execa("ffmpeg", ["-v", "error", "-i", targetPath, "-c:a", "libmp3lame", mp3]);
    });
  });
  after(() => espeak?.stop());

  async function answer(response: Response): Promise<Json> {
    expect(response.status, await response.clone().text()).to.equal(200);
    return (await response.json()) as Json;
  }
  const vcJson = async (body: object) =>
    answer(
      await fetch(`${espeak.app.baseUrl}/api/v1/vc?response_mode=json`, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ target_voice_source: "target", export_formats: ["wav"], ...body }),
      }),
    );
  async function vcUpload(fields: Record<string, string>): Promise<Json> {
    const form = new FormData();
    form.set("input_audio", new Blob([new Uint8Array(await readFile(sourcePath))]), "take.wav");
    for (const [key, value] of Object.entries({ target_voice_source: "target", export_formats: "wav", ...fields })) {
      form.set(key, value);
    }
    return answer(await fetch(`${espeak.app.baseUrl}/api/v1/vc?response_mode=json`, { method: "POST", body: form }));
  }
  const { audioOf, infoOf } = apiClient(() => espeak.app.baseUrl);

  /** The three promises of a conversion: the target's pitch, the source's length and its voicing. */
  function expectConverted(output: MonoPcm, label: string) {
    expect(medianF0(output) / targetF0, `${label}: median F0 / target's`).to.be.closeTo(1, 0.05);
    expect(durationSeconds(output), `${label}: duration`).to.be.closeTo(durationSeconds(source), 0.01);
    expect(voicedFrames(output) / voicedFrames(source), `${label}: voiced frames`).to.be.at.least(0.8);
  }

  it("moves the source to the target voice's median F0 (within 5 %), keeping its length and voicing", async () => {
    expect(durationSeconds(source)).to.be.within(5, 8);
    expect(medianF0(source) / targetF0, "source and target start far apart").to.be.below(0.6);
    const json = await vcJson({ input_audio_source: "source" });
    const output = await audioOf(json);
    expectConverted(output, "whole");
    const info = await infoOf(json);
    expect(info.voice_method).to.match(/^signal-level: /);
    expect(info.chunks_processed).to.equal(1);
  });

  it("keeps the words: Whisper hears the converted speech about as well as the source", async function () {
    const output = await audioOf(await vcJson({ input_audio_source: "source" }));
    const sourceRate = await heardWordErrorRate(espeak.backend, SOURCE.text, source);
    const convertedRate = await heardWordErrorRate(espeak.backend, SOURCE.text, output);
    this.test!.title += `: word error rate ${percent(sourceRate)} in the source, ${percent(convertedRate)} converted`;
    expect(convertedRate).to.be.at.most(sourceRate + 0.1);
  });

  it("pitch_shift +4 raises the converted pitch by 2^(4/12), within 5 % (multipart upload)", async () => {
    const plain = await audioOf(await vcUpload({}));
    const shifted = await audioOf(await vcUpload({ pitch_shift: "4" }));
    expect(medianF0(shifted) / medianF0(plain) / 2 ** (4 / 12)).to.be.closeTo(1, 0.05);
    expect(durationSeconds(shifted)).to.be.closeTo(durationSeconds(source), 0.01);
    expect(voicedFrames(shifted) / voicedFrames(source)).to.be.at.least(0.8);
  });

  it("converts in 2 s chunks overlapping by 0.5 s with the same result: length, pitch and voicing kept", async () => {
    const json = await vcJson({ input_audio_source: "source", chunk_sec: 2, overlap_sec: 0.5 });
    const output = await audioOf(json);
    // Chunks start every 1.5 s until one reaches the end of the source.
    const expected = Math.ceil((durationSeconds(source) - 2) / 1.5) + 1;
    expect((await infoOf(json)).chunks_processed).to.equal(expected);
    expectConverted(output, "chunked");
  });

  it("answers the original test_core_examples request as it is written (spec §8)", async () => {
    const json = await vcJson({
      input_audio_source: "test_inputs/chatterbox-hello_quick_brown.wav",
      target_voice_source: "test_voices/linda_johnson_01.mp3",
      export_formats: ["wav"],
    });
    expect(json).to.include({ success: true, message: "Voice conversion completed successfully" });
    expect(json.output_files[0].filename).to.match(/^vc_.*_voicelinda_john\.wav$/);
    expectConverted(await audioOf(json), "test_core_examples");
  });
});
