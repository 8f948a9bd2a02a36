import { expect } from "chai";
import { AudioToolError } from "../../../../src/audio/audio-errors.js";
import type { MonoPcm } from "../../../../src/domain/audio.js";
import { CONTRACT_TTS_DEFAULTS } from "../../../../src/domain/tts-fields.js";
import { CONTRACT_VC_DEFAULTS } from "../../../../src/domain/vc-fields.js";
import {
  runPostProcessing,
  type CompactionStage,
  type LoudnessStage,
  type PostProcessingFields,
  type TrimStage,
} from "../../../../src/services/post-processing/chain.js";
import { harmonicTone, joinSamples, mono, silence } from "../../../helpers/wav-builder.js";

const RATE = 24000;
const NO_FFMPEG = { ffmpegPath: "/nonexistent/ffmpeg" };

const ALL_STAGES: PostProcessingFields = {
  ...CONTRACT_TTS_DEFAULTS,
  use_auto_editor: true,
  trim: true,
  normalize_audio: true,
};

/** Quiet voice-like speech with 0.8 s of silence before, two long pauses and 0.6 s after. */
function speech(): MonoPcm {
  const voice = (seconds: number, f0: number) =>
    harmonicTone({ f0, seconds, sampleRate: RATE, harmonics: [0.04, 0.02, 0.01] });
  const s = (seconds: number) => silence(seconds, RATE);
  return mono(RATE, joinSamples(s(0.8), voice(0.7, 140), s(1.0), voice(0.6, 180), s(0.7), voice(0.8, 120), s(0.6)));
}

const seconds = (pcm: MonoPcm) => pcm.samples.length / pcm.sampleRate;

describe("services/post-processing/chain", function () {
  this.timeout(60_000);

  it("runs compaction, then trim, then loudness, each on the previous stage's output", async () => {
    const input = speech();
    const { pcm, stages, warnings } = await runPostProcessing(input, ALL_STAGES);
    expect(stages.map((s) => s.name)).to.deep.equal(["silence_compaction", "trim", "loudness"]);
    const [compaction, trim, loudness] = stages as [CompactionStage, TrimStage, LoudnessStage];

    expect(compaction).to.include({ applied: true, silences_shortened: 2, threshold: 0.06, margin_ms: 200 });
    expect(compaction.removed_ms).to.be.within(1299, 1301); // (1.0 - 0.2) + (0.7 - 0.2)
    expect(compaction.longest_silence_ms_after).to.be.within(199, 201);

    // Trim saw the compacted audio: its input is the original minus what compaction removed.
    expect(trim.applied).to.equal(true);
    expect(trim.original_duration_ms).to.be.closeTo(seconds(input) * 1000 - compaction.removed_ms, 1);
    expect(trim.leading_silence_removed_ms).to.be.within(700, 760);
    expect(trim.trailing_silence_removed_ms).to.be.within(500, 560);

    // Loudness worked on the trimmed audio and kept its length.
    expect(loudness).to.include({ applied: true, method: "ebu", normalization_type: "linear" });
    expect(loudness.after.integrated_lufs).to.be.closeTo(-24, 1);
    expect(loudness.after.true_peak_dbtp).to.be.at.most(-2);
    expect(Math.round(seconds(pcm) * 1000)).to.be.closeTo(trim.trimmed_duration_ms, 1);
    expect(pcm.sampleRate).to.equal(RATE);

    for (const stage of stages) expect(stage.ms).to.be.a("number").and.at.least(0);
    expect(warnings).to.deep.equal([]);
  });

  it("returns the audio untouched and records nothing when no stage is asked for", async () => {
    const input = speech();
    // No ffmpeg is available, so this also proves that nothing ran.
    const result = await runPostProcessing(input, CONTRACT_TTS_DEFAULTS, NO_FFMPEG);
    expect(result).to.deep.equal({ pcm: input, stages: [], original: undefined, warnings: [] });
    expect(result.pcm).to.equal(input);
  });

  it("runs only the stages asked for, in order", async () => {
    const input = speech();
    const trimOnly = await runPostProcessing(input, { ...CONTRACT_TTS_DEFAULTS, trim: true }, NO_FFMPEG);
    expect(trimOnly.stages.map((s) => s.name)).to.deep.equal(["trim"]);
    const noTrim = await runPostProcessing(input, { ...ALL_STAGES, trim: false, normalize_method: "peak" });
    expect(noTrim.stages.map((s) => s.name)).to.deep.equal(["silence_compaction", "loudness"]);
    expect(noTrim.stages[1]).to.include({ applied: true, normalization_type: "gain" });
  });

  it("hands back the pre-compaction audio only when keep_original_wav_ae goes with use_auto_editor", async () => {
    const input = speech();
    const fields = { ...CONTRACT_TTS_DEFAULTS, use_auto_editor: true, keep_original_wav_ae: true };
    const kept = await runPostProcessing(input, fields, NO_FFMPEG);
    expect(kept.original).to.equal(input);
    expect(seconds(kept.pcm)).to.be.below(seconds(input) - 1.2);
    const withoutEditor = await runPostProcessing(input, { ...fields, use_auto_editor: false }, NO_FFMPEG);
    expect(withoutEditor.original).to.equal(undefined);
  });

  it("takes a VC request's fields as they are", async () => {
    const input = speech();
    const result = await runPostProcessing(input, { ...CONTRACT_VC_DEFAULTS, trim: true }, NO_FFMPEG);
    expect(result.stages.map((s) => s.name)).to.deep.equal(["trim"]);
  });

  it("copes with silence: nothing to shorten, trim or normalize", async () => {
    const input = mono(RATE, silence(2, RATE));
    const { pcm, stages } = await runPostProcessing(input, ALL_STAGES);
    expect(pcm.samples.length).to.equal(input.samples.length);
    expect(stages.map((s) => s.applied)).to.deep.equal([false, false, false]);
    expect(stages[2]).to.include({ reason: "nothing to normalize: the audio is silent" });
  });

  it("passes on the loudness stage's warning", async () => {
    const fields = { ...ALL_STAGES, normalize_level: -5, normalize_tp: -9 };
    const { warnings } = await runPostProcessing(speech(), fields);
    expect(warnings).to.have.length(1);
    expect(warnings[0]).to.match(/instead of -5 LUFS/);
  });

  it("surfaces ffmpeg problems and cancellation", async () => {
    const missing = await runPostProcessing(speech(), ALL_STAGES, NO_FFMPEG).catch((e: unknown) => e);
    expect(missing).to.be.instanceOf(AudioToolError).with.property("code", "FFMPEG_NOT_FOUND");
    const controller = new AbortController();
    const reason = new Error("gone");
    controller.abort(reason);
    const aborted = await runPostProcessing(speech(), ALL_STAGES, { signal: controller.signal }).catch(
      (e: unknown) => e,
    );
    expect(aborted).to.equal(reason);
  });
});
