import { expect } from "chai";
import { ClipMeter, trimRange, type ClipLevels } from "../../../../src/audio/concat/clip-meter.js";
import { joinSamples, noise, silence } from "../../../helpers/wav-builder.js";

const RATE = 24000;

function measure(samples: Float32Array, channels = 1, chunk = 4096): ClipLevels {
  const meter = new ClipMeter(channels, RATE);
  for (let at = 0; at < samples.length; at += chunk * channels) meter.push(samples.subarray(at, at + chunk * channels));
  return meter.finish();
}

/** A tone that starts and ends near full swing (a cosine), so its edges are its first and last samples. */
function cosine(seconds: number, amplitude = 0.5): Float32Array {
  const out = new Float32Array(Math.round(seconds * RATE));
  for (let i = 0; i < out.length; i++) out[i] = amplitude * Math.cos((2 * Math.PI * 250 * i) / RATE);
  return out;
}

describe("audio/concat/clip-meter", () => {
  it("counts frames and energy", () => {
    const samples = noise({ seconds: 1.3, sampleRate: RATE, amplitude: 0.3, seed: 2 });
    const levels = measure(samples);
    expect(levels.frames).to.equal(samples.length);
    const energy = samples.reduce((sum, x) => sum + x * x, 0);
    expect(levels.sumSquares).to.be.closeTo(energy, energy * 1e-9);
  });

  it("finds the sound's first and last frame exactly, whatever the chunk size", () => {
    const samples = joinSamples(silence(0.8, RATE), cosine(1), silence(0.5, RATE));
    for (const chunk of [1, 100, 4096, 100000]) {
      const levels = measure(samples, 1, chunk);
      expect(levels.soundStart).to.equal(0.8 * RATE);
      expect(levels.soundEnd).to.equal(1.8 * RATE);
    }
  });

  it("ignores a stretch quieter than -40 dBFS and a lone click in silence", () => {
    const hiss = noise({ seconds: 0.5, sampleRate: RATE, amplitude: 0.012, seed: 3 }); // about -43 dBFS RMS
    const click = silence(0.5, RATE);
    click[100] = 0.1; // -20 dBFS alone, but -44 dBFS over its 10 ms window: not sound
    const levels = measure(joinSamples(hiss, click, cosine(0.5), hiss));
    expect(levels.soundStart).to.equal(1.0 * RATE);
    expect(levels.soundEnd).to.equal(1.5 * RATE);
  });

  it("reads stereo frames: sound on one channel counts for the frame", () => {
    const left = joinSamples(silence(0.25, RATE), cosine(0.5), silence(0.25, RATE));
    const stereo = new Float32Array(2 * left.length);
    left.forEach((x, i) => (stereo[2 * i] = x));
    const levels = measure(stereo, 2);
    expect(levels.frames).to.equal(left.length);
    expect(levels.soundStart).to.equal(0.25 * RATE);
    expect(levels.soundEnd).to.equal(0.75 * RATE);
  });

  it("finds no sound in digital silence", () => {
    const levels = measure(silence(1, RATE));
    expect(levels).to.deep.equal({ frames: RATE, sumSquares: 0, soundStart: undefined, soundEnd: undefined });
  });

  describe("trimRange", () => {
    const levels: ClipLevels = { frames: 10000, sumSquares: 1, soundStart: 3000, soundEnd: 7000 };

    it("keeps the sound and the pad on each side", () => {
      expect(trimRange(levels, 500)).to.deep.equal({ start: 2500, end: 7500 });
    });

    it("keeps shorter silences whole", () => {
      expect(trimRange(levels, 4000)).to.deep.equal({ start: 0, end: 10000 });
    });

    it("keeps a clip with no sound whole", () => {
      expect(trimRange({ ...levels, soundStart: undefined, soundEnd: undefined }, 500)).to.deep.equal({
        start: 0,
        end: 10000,
      });
    });
  });
});
