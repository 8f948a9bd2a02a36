import { expect } from "chai";
import { execa } from "execa";
import { compactSilences } from "../../../src/audio/silence-compaction.js";
import type { MonoPcm } from "../../../src/domain/audio.js";
import { decodeAudio } from "../../helpers/audio-file.js";
import { internalPausesMs, peak } from "../../helpers/pauses.js";
import { harmonicTone, joinSamples, mono, noise, silence, sine } from "../../helpers/wav-builder.js";

const RATE = 24000;
const THRESHOLD = 0.06;
const MARGIN = 0.2;

/** A voice-like tone with a 0.6 peak. */
function voice(seconds: number, f0 = 150): Float32Array {
  return harmonicTone({ f0, seconds, sampleRate: RATE, harmonics: [0.35, 0.17, 0.08] });
}

/** Every sample at or above `level`, in order: the sound that must survive compaction untouched. */
function soundSamples(samples: Float32Array, level: number): Float32Array {
  return samples.filter((x) => Math.abs(x) >= level);
}

/** Asserts the acceptance rules: pauses ≤ margin + 10 ms, every sound sample kept, duration shrunk by `removedMs`. */
function expectCompacted(input: MonoPcm, output: MonoPcm, removedSeconds: number): void {
  const level = THRESHOLD * peak(input.samples);
  for (const pause of internalPausesMs(output, level)) expect(pause).to.be.at.most(MARGIN * 1000 + 10);
  expect(soundSamples(output.samples, level)).to.deep.equal(soundSamples(input.samples, level));
  const removed = (input.samples.length - output.samples.length) / input.sampleRate;
  expect(removed).to.be.closeTo(removedSeconds, 0.002);
}

async function espeak(text: string): Promise<MonoPcm> {
  const { stdout } = await execa("espeak-ng", ["--stdout", "-s", "160", text], { encoding: "buffer" });
  return decodeAudio(Buffer.from(stdout));
}

describe("audio/silence-compaction", () => {
  it("shortens long pauses between tones to the margin and keeps every sound sample", () => {
    const s = (seconds: number) => silence(seconds, RATE);
    const input = mono(
      RATE,
      joinSamples(s(0.3), voice(0.5), s(0.8), voice(0.4, 200), s(1.2), voice(0.3), s(0.15), voice(0.5, 120), s(0.6)),
    );
    const { pcm, info } = compactSilences(input, { threshold: THRESHOLD, marginSeconds: MARGIN });
    expectCompacted(input, pcm, 0.6 + 1.0);
    expect(info.silences_shortened).to.equal(2);
    expect(info.removed_ms).to.be.within(1599, 1601);
    expect(info.longest_silence_ms_before).to.be.within(1200, 1201);
    expect(info.longest_silence_ms_after).to.be.within(199, 201);
    const level = THRESHOLD * peak(input.samples);
    const pauses = internalPausesMs(pcm, level);
    expect(pauses).to.have.length(3);
    expect(pauses[2]).to.be.closeTo(150, 1); // shorter than the margin: untouched
  });

  it("leaves leading and trailing silence for trimming", () => {
    const input = mono(
      RATE,
      joinSamples(silence(0.7, RATE), voice(0.3), silence(0.9, RATE), voice(0.3), silence(1.1, RATE)),
    );
    const { pcm } = compactSilences(input, { threshold: THRESHOLD, marginSeconds: MARGIN });
    const firstSound = pcm.samples.findIndex((x) => x !== 0);
    const lastSound = pcm.samples.length - 1 - [...pcm.samples].reverse().findIndex((x) => x !== 0);
    expect(firstSound / RATE).to.be.closeTo(0.7, 0.001);
    expect((pcm.samples.length - 1 - lastSound) / RATE).to.be.closeTo(1.1, 0.001);
    expect(pcm.samples.length / RATE).to.be.closeTo(input.samples.length / RATE - 0.7, 0.002);
  });

  it("shortens a pause to the margin asked for", () => {
    const input = mono(RATE, joinSamples(voice(0.3), silence(0.5, RATE), voice(0.3)));
    const level = THRESHOLD * peak(input.samples);
    for (const margin of [0, 0.05, 0.3]) {
      const { pcm } = compactSilences(input, { threshold: THRESHOLD, marginSeconds: margin });
      const [pause] = internalPausesMs(pcm, level);
      // A margin of 0 still keeps the 5 ms crossfade.
      expect(pause).to.be.closeTo(Math.max(margin * 1000, 5), 1);
    }
    const { info } = compactSilences(input, { threshold: THRESHOLD, marginSeconds: 0.6 });
    expect(info.silences_shortened).to.equal(0);
  });

  it("judges silence against the clip's peak: a noise floor is silence below the threshold, sound above it", () => {
    const floor = (seed: number) => noise({ seconds: 0.8, sampleRate: RATE, amplitude: 0.02, seed });
    const input = mono(RATE, joinSamples(voice(0.4), floor(1), voice(0.4), floor(2), voice(0.4)));
    // 0.02 is 3.3 % of the 0.6 peak.
    expect(compactSilences(input, { threshold: 0.06, marginSeconds: MARGIN }).info.silences_shortened).to.equal(2);
    expect(compactSilences(input, { threshold: 0.02, marginSeconds: MARGIN }).info.silences_shortened).to.equal(0);
    const { pcm } = compactSilences(input, { threshold: 0.06, marginSeconds: MARGIN });
    expectCompacted(input, pcm, 2 * (0.8 - MARGIN));
  });

  it("joins a humming pause without a click", () => {
    const hum = sine({ freq: 50, seconds: 0.8137, sampleRate: RATE, amplitude: 0.02 });
    const input = mono(RATE, joinSamples(voice(0.3), hum, voice(0.3)));
    const { pcm } = compactSilences(input, { threshold: THRESHOLD, marginSeconds: MARGIN });
    const maxStep = (samples: Float32Array) =>
      samples.slice(1).reduce((m, x, i) => Math.max(m, Math.abs(x - samples[i]!)), 0);
    const pauseStart = Math.round(0.3 * RATE) + 10;
    const pauseEnd = pauseStart + Math.round(MARGIN * RATE) - 20;
    const humStep = maxStep(hum);
    // A butt join could jump by up to 0.04 (150 times the hum's largest step).
    expect(maxStep(pcm.samples.subarray(pauseStart, pauseEnd))).to.be.below(3 * humStep);
  });

  it("returns audio without long pauses, silence, empty audio and threshold 0 unchanged", () => {
    const options = { threshold: THRESHOLD, marginSeconds: MARGIN };
    const quiet = mono(RATE, silence(1, RATE));
    for (const input of [mono(RATE, voice(1)), quiet, mono(RATE, new Float32Array(0))]) {
      const { pcm, info } = compactSilences(input, options);
      expect(pcm).to.equal(input);
      expect(info).to.deep.equal({
        silences_shortened: 0,
        removed_ms: 0,
        longest_silence_ms_before: 0,
        longest_silence_ms_after: 0,
      });
    }
    const gappy = mono(RATE, joinSamples(voice(0.2), silence(1, RATE), voice(0.2)));
    expect(compactSilences(gappy, { threshold: 0, marginSeconds: MARGIN }).pcm).to.equal(gappy);
  });

  it("rejects a threshold outside 0–1 and a negative margin", () => {
    const input = mono(RATE, voice(0.1));
    expect(() => compactSilences(input, { threshold: 1.5, marginSeconds: 0.2 })).to.throw(RangeError);
    expect(() => compactSilences(input, { threshold: Number.NaN, marginSeconds: 0.2 })).to.throw(RangeError);
    expect(() => compactSilences(input, { threshold: 0.1, marginSeconds: -1 })).to.throw(RangeError);
  });

  describe("on real speech (espeak-ng)", function () {
    let sentences: MonoPcm[] = [];
    before(async function () {
      try {
        sentences = await Promise.all(
          [
            "The quick brown fox jumps over the lazy dog.",
            "It was asleep, so nothing happened.",
            "Then it rained.",
          ].map(espeak),
        );
      } catch {
        this.skip(); // espeak-ng is not installed
      }
    });

    it("keeps all speech and leaves no internal pause longer than the margin", () => {
      const rate = sentences[0]!.sampleRate;
      const gap = (seconds: number) => silence(seconds, rate);
      const [a, b, c] = sentences.map((pcm) => pcm.samples);
      const input = mono(rate, joinSamples(gap(0.5), a!, gap(1.5), b!, gap(0.9), c!, gap(0.5)));
      const level = THRESHOLD * peak(input.samples);
      // What should go: every internal pause's excess over the margin, measured on the input by the test.
      const expectedRemoved = internalPausesMs(input, level)
        .filter((ms) => ms > MARGIN * 1000)
        .reduce((sum, ms) => sum + (ms / 1000 - MARGIN), 0);
      expect(expectedRemoved).to.be.at.least(1.5 + 0.9 - 2 * MARGIN);

      const { pcm, info } = compactSilences(input, { threshold: THRESHOLD, marginSeconds: MARGIN });
      expectCompacted(input, pcm, expectedRemoved);
      expect(info.longest_silence_ms_before).to.be.at.least(1500);
      expect(info.longest_silence_ms_after).to.be.at.most(MARGIN * 1000 + 1);
    });
  });
});
