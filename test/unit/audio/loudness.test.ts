import { expect } from "chai";
import { execa } from "execa";
import { AudioToolError } from "../../../src/audio/audio-errors.js";
import { normalizeLoudness, type LoudnessOptions } from "../../../src/audio/loudness.js";
import type { MonoPcm } from "../../../src/domain/audio.js";
import { decodeAudio } from "../../helpers/audio-file.js";
import { ebur128, type Ebur128 } from "../../helpers/loudness-meter.js";
import { harmonicTone, joinSamples, mono, silence, sine } from "../../helpers/wav-builder.js";

const DEFAULTS: LoudnessOptions = { method: "ebu", integratedLufs: -24, truePeakDbtp: -2, lraLu: 7 };

/** Syllable-like bursts: harmonic tones of varying pitch and length under smooth envelopes, with short gaps. */
function speechLike(sampleRate: number, gain = 1): MonoPcm {
  const parts: Float32Array[] = [];
  for (let k = 0; k < 14; k++) {
    const seconds = 0.12 + 0.05 * (k % 4);
    const tone = harmonicTone({ f0: 110 + 13 * (k % 7), seconds, sampleRate, harmonics: [0.3, 0.2, 0.12, 0.06] });
    const shaped = tone.map((x, i) => gain * x * Math.sin((Math.PI * i) / tone.length) ** 2);
    parts.push(shaped, silence(0.04 + 0.03 * (k % 3), sampleRate));
  }
  return mono(sampleRate, joinSamples(...parts));
}

function scaled(pcm: MonoPcm, db: number): MonoPcm {
  return mono(
    pcm.sampleRate,
    pcm.samples.map((x) => x * 10 ** (db / 20)),
  );
}

async function expectNormalized(input: MonoPcm, output: MonoPcm, options: LoudnessOptions): Promise<Ebur128> {
  const measured = await ebur128(output);
  expect(measured.integrated).to.be.closeTo(options.integratedLufs, 1);
  expect(measured.truePeak).to.be.at.most(options.truePeakDbtp + 0.5);
  expect(output.sampleRate).to.equal(input.sampleRate);
  expect(output.samples.length).to.be.closeTo(input.samples.length, 1);
  return measured;
}

describe("audio/loudness", function () {
  this.timeout(60_000);

  describe("ebu (two-pass loudnorm)", () => {
    it("brings quiet speech up to the target with one linear gain", async () => {
      const input = scaled(speechLike(24000), -25);
      const before = await ebur128(input);
      expect(before.integrated).to.be.below(-40);
      const { pcm, info } = await normalizeLoudness(input, DEFAULTS);
      await expectNormalized(input, pcm, DEFAULTS);
      expect(info).to.include({ applied: true, method: "ebu", normalization_type: "linear" });
      expect(info.before.integrated_lufs).to.be.closeTo(before.integrated, 1);
      expect(info.after.integrated_lufs).to.be.closeTo(-24, 0.5);
      expect(info.target).to.deep.equal({ integrated_lufs: -24, true_peak_dbtp: -2, lra_lu: 7 });
      // A linear gain keeps the waveform's shape: output/input is one constant.
      const ratio = pcm.samples[1000]! / input.samples[1000]!;
      expect(pcm.samples[5000]! / input.samples[5000]!).to.be.closeTo(ratio, ratio * 1e-3);
    });

    it("brings loud speech (peaks over full scale) down to the target", async () => {
      const input = scaled(speechLike(24000), 14);
      expect((await ebur128(input)).truePeak).to.be.above(0);
      const options = { ...DEFAULTS, integratedLufs: -16, truePeakDbtp: -1 };
      const { pcm, info } = await normalizeLoudness(input, options);
      await expectNormalized(input, pcm, options);
      expect(info.applied).to.equal(true);
    });

    it("keeps the sample rate and length when loudnorm has to work dynamically at 192 kHz", async () => {
      const input = scaled(speechLike(22050), -20);
      const options = { ...DEFAULTS, integratedLufs: -12, truePeakDbtp: -1, lraLu: 11 };
      const { pcm, info } = await normalizeLoudness(input, options);
      expect(info.normalization_type).to.equal("dynamic");
      await expectNormalized(input, pcm, options);
      expect(pcm.samples.length).to.equal(input.samples.length);
    });

    it("normalizes real speech (espeak-ng) at its own rate", async function () {
      let speech: MonoPcm;
      try {
        const text = "The quick brown fox jumps over the lazy dog. Then it slept for a while in the sun.";
        const { stdout } = await execa("espeak-ng", ["--stdout", text], { encoding: "buffer" });
        speech = await decodeAudio(Buffer.from(stdout));
      } catch {
        return this.skip(); // espeak-ng is not installed
      }
      for (const db of [-25, 12]) {
        const input = scaled(speech, db);
        const { pcm } = await normalizeLoudness(input, DEFAULTS);
        await expectNormalized(input, pcm, DEFAULTS);
      }
    });

    it("normalizes clips shorter than loudnorm's 3 s window, by gain or dynamically", async () => {
      // loudnorm's own linear pass returns near-silence for such clips (a 1.8 s one came out 30 LU low).
      const speech = speechLike(24000);
      const short = mono(24000, speech.samples.subarray(0, Math.round(1.5 * 24000)));
      const linear = { ...DEFAULTS, integratedLufs: -30 };
      const byGain = await normalizeLoudness(short, linear);
      expect(byGain.info).to.include({ normalization_type: "linear" });
      await expectNormalized(short, byGain.pcm, linear);
      const loud = { ...DEFAULTS, integratedLufs: -12, truePeakDbtp: -1, lraLu: 11 };
      const dynamic = await normalizeLoudness(scaled(short, -20), loud);
      expect(dynamic.info).to.include({ normalization_type: "dynamic" });
      await expectNormalized(short, dynamic.pcm, loud);
    });

    it("warns when the true-peak ceiling keeps the loudness far from the target", async () => {
      const input = speechLike(24000);
      const options = { ...DEFAULTS, integratedLufs: -5, truePeakDbtp: -6 };
      const { pcm, info } = await normalizeLoudness(input, options);
      expect(info.warning).to.match(/instead of -5 LUFS/);
      expect((await ebur128(pcm)).truePeak).to.be.at.most(-6 + 0.5);
    });

    it("leaves audio with no integrated loudness (shorter than 0.4 s) alone", async () => {
      const input = mono(24000, sine({ freq: 440, seconds: 0.2, sampleRate: 24000 }));
      const { pcm, info } = await normalizeLoudness(input, DEFAULTS);
      expect(pcm).to.equal(input);
      expect(info.applied).to.equal(false);
      expect(info.reason).to.match(/^nothing to normalize/);
    });
  });

  describe("peak (one gain to the true-peak target)", () => {
    it("puts the true peak at the target from below and from above, keeping the dynamics", async () => {
      for (const db of [-20, 10]) {
        const input = scaled(speechLike(16000), db);
        const options: LoudnessOptions = { ...DEFAULTS, method: "peak", truePeakDbtp: -3 };
        const { pcm, info } = await normalizeLoudness(input, options);
        const [before, after] = await Promise.all([ebur128(input), ebur128(pcm)]);
        expect(after.truePeak).to.be.closeTo(-3, 0.2);
        expect(after.integrated - before.integrated).to.be.closeTo(info.gain_db!, 0.2);
        expect(info).to.include({ applied: true, normalization_type: "gain" });
        expect(pcm.sampleRate).to.equal(16000);
        expect(pcm.samples.length).to.equal(input.samples.length);
      }
    });

    it("also works on clips too short for integrated loudness", async () => {
      const input = mono(24000, sine({ freq: 440, seconds: 0.2, sampleRate: 24000, amplitude: 0.1 }));
      const { info } = await normalizeLoudness(input, { ...DEFAULTS, method: "peak" });
      expect(info.applied).to.equal(true);
      expect(info.after.true_peak_dbtp).to.be.closeTo(-2, 0.1);
    });
  });

  it("does not crash on silence: it reports that there is nothing to normalize", async () => {
    for (const method of ["ebu", "peak"] as const) {
      const input = mono(24000, silence(2, 24000));
      const { pcm, info } = await normalizeLoudness(input, { ...DEFAULTS, method });
      expect(pcm).to.equal(input);
      expect(info).to.include({ applied: false, reason: "nothing to normalize: the audio is silent" });
      expect(info.before).to.deep.equal({ integrated_lufs: null, true_peak_dbtp: null, lra_lu: null });
    }
  });

  it("reports a missing ffmpeg as FFMPEG_NOT_FOUND", async () => {
    const error = await normalizeLoudness(speechLike(24000), { ...DEFAULTS, ffmpegPath: "/nonexistent/ffmpeg" }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).to.be.instanceOf(AudioToolError);
    expect((error as AudioToolError).code).to.equal("FFMPEG_NOT_FOUND");
  });

  it("rejects with the abort reason when cancelled", async () => {
    const controller = new AbortController();
    const reason = new Error("client went away");
    const pending = normalizeLoudness(speechLike(24000), { ...DEFAULTS, signal: controller.signal });
    controller.abort(reason);
    const error = await pending.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).to.equal(reason);
  });
});
