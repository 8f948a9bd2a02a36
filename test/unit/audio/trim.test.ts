import { expect } from "chai";
import { nonSilentIntervals, trimSilence } from "../../../src/audio/trim.js";
import type { MonoPcm } from "../../../src/domain/audio.js";
import { harmonicTone, joinSamples, mono, noise, silence, sine } from "../../helpers/wav-builder.js";

const RATE = 24000;

/** Silence, a voice-like tone, silence. */
function padded(leadSeconds: number, trailSeconds: number, amplitude = 0.5): MonoPcm {
  const tone = harmonicTone({
    f0: 150,
    seconds: 1,
    sampleRate: RATE,
    harmonics: [amplitude, amplitude / 2, amplitude / 4],
  });
  return mono(RATE, joinSamples(silence(leadSeconds, RATE), tone, silence(trailSeconds, RATE)));
}

function countNonZero(samples: Float32Array): number {
  return samples.reduce((n, x) => (x !== 0 ? n + 1 : n), 0);
}

describe("audio/trim", () => {
  describe("trimSilence", () => {
    it("cuts long silence on both sides down to about 50 ms and keeps every sound sample", () => {
      const input = padded(1.0, 0.8);
      const { pcm, info } = trimSilence(input, { thresholdMs: 200 });
      expect(info.trimmed).to.equal(true);
      expect(countNonZero(pcm.samples)).to.equal(countNonZero(input.samples));
      // Frames are 2048 samples wide at a 512 hop, so detection is exact to about one hop (21 ms at 24 kHz).
      expect(info.leading_silence_removed_ms).to.be.within(900, 955);
      expect(info.trailing_silence_removed_ms).to.be.within(700, 755);
      const keptLead = pcm.samples.findIndex((x) => x !== 0) / RATE;
      expect(keptLead).to.be.within(0.045, 0.1);
    });

    it("reports durations that add up", () => {
      const { info } = trimSilence(padded(0.6, 0.4), { thresholdMs: 200 });
      expect(info.original_duration_ms).to.equal(2000);
      expect(info.threshold_ms).to.equal(200);
      const removed = info.leading_silence_removed_ms + info.trailing_silence_removed_ms;
      expect(Math.abs(info.original_duration_ms - removed - info.trimmed_duration_ms)).to.be.at.most(1);
    });

    it("leaves silences shorter than the threshold alone", () => {
      const input = padded(0.1, 0.15);
      const { pcm, info } = trimSilence(input, { thresholdMs: 200 });
      expect(info.trimmed).to.equal(false);
      expect(pcm.samples.length).to.equal(input.samples.length);
      expect(info.leading_silence_removed_ms).to.equal(0);
      expect(info.trailing_silence_removed_ms).to.equal(0);
    });

    it("trims only the side whose silence exceeds the threshold", () => {
      const { pcm, info } = trimSilence(padded(0.6, 0.1), { thresholdMs: 200 });
      expect(info.leading_silence_removed_ms).to.be.greaterThan(450);
      expect(info.trailing_silence_removed_ms).to.equal(0);
      expect(pcm.samples.subarray(-Math.round(0.09 * RATE)).every((x) => x === 0)).to.equal(true);
    });

    it("honours the threshold: 300 ms of silence is kept at 400 ms and trimmed at 200 ms", () => {
      const input = padded(0.3, 0);
      expect(trimSilence(input, { thresholdMs: 400 }).info.trimmed).to.equal(false);
      expect(trimSilence(input, { thresholdMs: 200 }).info.trimmed).to.equal(true);
    });

    it("judges silence relative to the clip's own peak, so quiet speech is still speech", () => {
      const quiet = padded(0.5, 0.5, 0.003); // about -45 dBFS
      const { pcm, info } = trimSilence(quiet, { thresholdMs: 200 });
      expect(info.trimmed).to.equal(true);
      expect(countNonZero(pcm.samples)).to.equal(countNonZero(quiet.samples));
    });

    it("treats a noise floor 40 dB under the peak as silence", () => {
      const floor = (s: number, seed: number): Float32Array =>
        noise({ seconds: s, sampleRate: RATE, amplitude: 0.002, seed });
      const tone = sine({ freq: 440, seconds: 1, sampleRate: RATE, amplitude: 0.8 });
      const input = mono(RATE, joinSamples(floor(0.7, 1), tone, floor(0.7, 2)));
      const { info } = trimSilence(input, { thresholdMs: 200 });
      expect(info.leading_silence_removed_ms).to.be.within(600, 655);
      expect(info.trailing_silence_removed_ms).to.be.within(600, 655);
    });

    it("returns fully silent and empty clips untouched", () => {
      for (const clip of [mono(RATE, silence(2, RATE)), mono(RATE, new Float32Array(0))]) {
        const { pcm, info } = trimSilence(clip, { thresholdMs: 50 });
        expect(pcm.samples.length).to.equal(clip.samples.length);
        expect(info.trimmed).to.equal(false);
      }
    });

    it("does not modify its input", () => {
      const input = padded(1, 1);
      const before = input.samples.length;
      trimSilence(input, { thresholdMs: 200 });
      expect(input.samples.length).to.equal(before);
    });
  });

  describe("nonSilentIntervals", () => {
    it("finds two bursts separated by a long gap, on hop boundaries", () => {
      const burst = sine({ freq: 300, seconds: 0.5, sampleRate: RATE });
      const input = mono(RATE, joinSamples(silence(0.5, RATE), burst, silence(1, RATE), burst));
      const intervals = nonSilentIntervals(input);
      expect(intervals).to.have.length(2);
      for (const { start } of intervals) expect(start % 512).to.equal(0);
      expect(intervals[0]!.start / RATE).to.be.within(0.45, 0.5);
      expect(intervals[1]!.start / RATE).to.be.within(1.95, 2.0);
      expect(intervals[1]!.end).to.equal(input.samples.length);
    });

    it("returns no intervals for an empty clip", () => {
      expect(nonSilentIntervals(mono(RATE, new Float32Array(0)))).to.deep.equal([]);
    });
  });
});
