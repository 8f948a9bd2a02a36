/**
 * The TTS post-processing fields and sound words through HTTP, each judged by measuring the file a client
 * downloads (fake engine: every segment is a tone with 0.2 s of silence on both sides).
 */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { expect } from "chai";
import { durationSeconds } from "../../../src/audio/pcm.js";
import { decodeAudio } from "../../helpers/audio-file.js";
import { apiClient } from "../../helpers/api-client.js";
import { FakeInferenceBackend, SECONDS_PER_CHAR } from "../../helpers/fake-inference-backend.js";
import { probeAudio } from "../../helpers/ffprobe.js";
import { ebur128 } from "../../helpers/loudness-meter.js";
import { edgeSilenceMs, internalPausesMs, peak } from "../../helpers/pauses.js";
import { startTestApp, type TestApp } from "../../helpers/test-app.js";

interface TtsJson {
  output_files: Array<{ format: string; filename: string; url: string; variant?: string }>;
  warnings: string[];
}

/** Two segments: 0.4 s of silence between their tones, 0.2 s at each end. */
const TWO_SENTENCES = { text: "First sentence here. Second one follows.", smart_batch_short_sentences: false };
/** About 4 s of tone: long enough for integrated loudness to be measured. */
const LONG_TEXT = "This line is long enough to give integrated loudness something to measure. ".repeat(5).trim();

describe("TTS post-processing and sound words through HTTP (fake engine)", () => {
  let app: TestApp;
  let backend: FakeInferenceBackend;
  before(async () => {
    backend = new FakeInferenceBackend();
    app = await startTestApp({ backend });
  });
  after(() => app.dispose());

  const { tts: ttsJson, bytesOf: fileBytes } = apiClient(() => app.baseUrl);
  const tts = async (body: object) => (await ttsJson(body)) as TtsJson;
  const audioOf = async (url: string) => decodeAudio(await fileBytes(url));
  const companionOf = async (json: TtsJson) =>
    JSON.parse(await readFile(join(app.config.paths.outputs, `${json.output_files[0]!.filename}.json`), "utf8"));

  it("applies sound words to the text before synthesis and records each replacement", async () => {
    const json = await tts({
      text: "Um, Bob's plan works. Well, uh, it does.",
      sound_words_field: 'um, uh\nBob=>Robert\n"never"=>x',
      smart_batch_short_sentences: false,
    });
    const spoken = backend.calls.at(-1)!.segments.map((segment) => segment.text);
    expect(spoken).to.deep.equal(["robert's plan works.", "well, it does."]);
    const companion = await companionOf(json);
    expect(companion.generation_info.sound_word_replacements).to.deep.equal([
      { pattern: "um", replacement: "", count: 1 },
      { pattern: "uh", replacement: "", count: 1 },
      { pattern: "Bob", replacement: "Robert", count: 1 },
    ]);
    expect(json.warnings).to.deep.equal([]);
  });

  it("refuses a bad sound-word rule, and text that sound words empty, with 422s before synthesis", async () => {
    const calls = backend.calls.length;
    const post = (body: object) =>
      fetch(`${app.baseUrl}/api/v1/tts`, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify(body),
      });
    const badRule = await post({ text: "Hello there.", sound_words_field: "um\n=>x" });
    expect(badRule.status).to.equal(422);
    const body = (await badRule.json()) as { detail: Array<{ loc: string[]; msg: string }> };
    expect(body.detail[0]).to.deep.include({ loc: ["body", "sound_words_field"] });
    expect(body.detail[0]!.msg).to.match(/^line 2: /);
    const emptied = await post({ text: "Um, uh.", sound_words_field: "um, uh" });
    expect(emptied.status).to.equal(422);
    expect(((await emptied.json()) as { error: string }).error).to.include("sound-word removal");
    expect(backend.calls.length).to.equal(calls);
  });

  it("says when settings were sent for a stage that is switched off, and runs no stage", async () => {
    const json = await tts({ ...TWO_SENTENCES, ae_margin: 0.1, normalize_level: -16 });
    expect(json.warnings).to.deep.equal([
      "ae_margin had no effect: use_auto_editor=false switches that stage off",
      "normalize_level had no effect: normalize_audio=false switches that stage off",
    ]);
    expect((await companionOf(json)).generation_info.post_processing).to.deep.equal([]);
  });

  it("records the engine's speed change as the first stage, before the server's own", async () => {
    const json = await tts({ ...TWO_SENTENCES, speed_factor: 2, trim: true });
    const stages = (await companionOf(json)).generation_info.post_processing;
    expect(stages[0]).to.deep.equal({ name: "speed", applied: true, speed_factor: 2, library: "sox", ms: 1.5 });
    expect(stages.map((stage: { name: string }) => stage.name)).to.deep.equal(["speed", "trim"]);
  });

  it("shortens internal silences to ae_margin and keeps the uncompacted original when asked", async () => {
    const json = await tts({ ...TWO_SENTENCES, use_auto_editor: true, ae_margin: 0.1, keep_original_wav_ae: true });
    const [main, original] = json.output_files;
    expect(original).to.include({ variant: "original", format: "wav" });
    const compacted = await audioOf(main!.url);
    const uncompacted = await audioOf(original!.url);
    const level = 0.06 * peak(uncompacted.samples);
    expect(internalPausesMs(uncompacted, level).map(Math.round)).to.deep.equal([400]);
    for (const pause of internalPausesMs(compacted, level)) expect(pause).to.be.at.most(100 + 10);
    expect(durationSeconds(uncompacted) - durationSeconds(compacted)).to.be.closeTo(0.3, 0.01);
    const stage = (await companionOf(json)).generation_info.post_processing[0];
    expect(stage).to.include({ name: "silence_compaction", applied: true, silences_shortened: 1, margin_ms: 100 });
  });

  it("trims long silence at both ends to a short pad, never cutting the tone", async () => {
    const plain = await audioOf((await tts({ ...TWO_SENTENCES, seed: 7 })).output_files[0]!.url);
    const json = await tts({ ...TWO_SENTENCES, seed: 7, trim: true, trim_threshold_ms: 100 });
    const trimmed = await audioOf(json.output_files[0]!.url);
    const level = 0.01 * peak(plain.samples);
    expect(edgeSilenceMs(plain, level).leading).to.be.closeTo(200, 2);
    // Detection works in librosa's 2048-sample frames, which see a tone up to a frame early; the 50 ms pad is
    // kept beyond that, so the quiet left is between the pad and the pad plus one frame (85 ms at 24 kHz).
    const edges = edgeSilenceMs(trimmed, level);
    expect(edges.leading).to.be.within(50, 50 + 86);
    expect(edges.trailing).to.be.within(50, 50 + 86);
    const sound = (samples: Float32Array) => samples.filter((x) => Math.abs(x) >= level).length;
    expect(sound(trimmed.samples)).to.equal(sound(plain.samples));
    expect(json.output_files[0]!.filename).to.match(/_trim100\.wav$/);
  });

  it("normalizes loudness to normalize_level (ebu) or the true peak to normalize_tp (peak)", async () => {
    const ebu = await tts({ text: LONG_TEXT, normalize_audio: true, normalize_level: -16, normalize_tp: -1.5 });
    const measured = await ebur128(await audioOf(ebu.output_files[0]!.url));
    expect(measured.integrated).to.be.closeTo(-16, 1);
    expect(measured.truePeak).to.be.at.most(-1.5 + 0.5);
    const peakJson = await tts({ text: LONG_TEXT, normalize_audio: true, normalize_method: "peak", normalize_tp: -6 });
    expect((await ebur128(await audioOf(peakJson.output_files[0]!.url))).truePeak).to.be.closeTo(-6, 0.6);
    const stage = (await companionOf(peakJson)).generation_info.post_processing[0];
    expect(stage).to.include({ name: "loudness", applied: true, method: "peak", normalization_type: "gain" });
  });

  it("writes the WAV in the sample format asked for, and every export format from the same audio", async () => {
    const formats = { f32: "pcm_f32le", s16: "pcm_s16le", s24: "pcm_s24le" } as const;
    for (const [wav_sample_format, codec] of Object.entries(formats)) {
      const json = await tts({ text: "Sample formats.", wav_sample_format });
      expect((await probeAudio(await fileBytes(json.output_files[0]!.url))).codecName).to.equal(codec);
    }
    const all = await tts({ text: "Every format.", export_formats: ["wav", "mp3", "flac", "opus", "aac", "pcm"] });
    const seconds = "Every format.".length * SECONDS_PER_CHAR + 0.4;
    const codecs: string[] = [];
    for (const file of all.output_files.slice(0, 5)) {
      const bytes = await fileBytes(file.url);
      codecs.push((await probeAudio(bytes)).codecName);
      expect(durationSeconds(await decodeAudio(bytes)), file.format).to.be.closeTo(seconds, 0.08);
    }
    expect(codecs).to.deep.equal(["pcm_f32le", "mp3", "flac", "opus", "aac"]);
    expect((await fileBytes(all.output_files[5]!.url)).length).to.equal(Math.round(seconds * 24000) * 2);
  });
});
