import { expect } from "chai";
import {
  crossfadeWeights,
  edgeFadeFrames,
  fadeInWeight,
  shapeChunk,
  type ClipShape,
} from "../../../../src/audio/concat/edge-fades.js";
import { noise } from "../../../helpers/wav-builder.js";

const RATE = 24000;

/** Shapes `samples` in chunks of `chunkFrames` frames, the way a clip streams past. */
function shapeInChunks(
  samples: Float32Array,
  shape: ClipShape,
  chunkFrames: number,
): { out: Float32Array; peak: number } {
  const out = samples.slice();
  let peak = 0;
  const step = chunkFrames * shape.channels;
  for (let at = 0; at < out.length; at += step) {
    peak = Math.max(peak, shapeChunk(out.subarray(at, at + step), at / shape.channels, shape));
  }
  return { out, peak };
}

describe("audio/concat/edge-fades", () => {
  it("fades 5 ms at each edge, but never more than half a clip", () => {
    expect(edgeFadeFrames(RATE, RATE)).to.equal(120);
    expect(edgeFadeFrames(44100, 44100)).to.equal(221);
    expect(edgeFadeFrames(RATE, 100)).to.equal(50);
    expect(edgeFadeFrames(RATE, 1)).to.equal(0);
  });

  it("raised-cosine fade-in rises smoothly from near 0 to near 1", () => {
    const weights = Array.from({ length: 120 }, (_, k) => fadeInWeight(k, 120));
    expect(weights[0]).to.be.below(0.001);
    expect(weights[119]).to.be.above(0.999);
    weights.slice(1).forEach((w, k) => expect(w).to.be.above(weights[k]!));
  });

  it("crossfade weights keep constant power", () => {
    for (const k of [0, 10, 49, 99]) {
      const { out, in: incoming } = crossfadeWeights(k, 100);
      expect(out * out + incoming * incoming).to.be.closeTo(1, 1e-12);
    }
    expect(crossfadeWeights(0, 100).out).to.be.above(0.999);
    expect(crossfadeWeights(99, 100).in).to.be.above(0.999);
  });

  it("shapes a clip the same whatever the chunk size, and reports the peak after the gain", () => {
    const channels = 2;
    const samples = noise({ seconds: 0.2, sampleRate: RATE * channels, amplitude: 0.4, seed: 5 });
    const shape: ClipShape = {
      channels,
      frames: samples.length / channels,
      gain: 2,
      fadeInFrames: 120,
      fadeOutFrames: 90,
    };
    const whole = shapeInChunks(samples, shape, shape.frames);
    for (const chunkFrames of [1, 7, 64, 1000]) {
      const chunked = shapeInChunks(samples, shape, chunkFrames);
      expect(Buffer.from(chunked.out.buffer).equals(Buffer.from(whole.out.buffer))).to.equal(true);
      expect(chunked.peak).to.equal(whole.peak);
    }
    const inputPeak = samples.reduce((m, x) => Math.max(m, Math.abs(x)), 0);
    expect(whole.peak).to.be.closeTo(2 * inputPeak, 1e-6);
  });

  it("weighs every channel of a frame alike, fades only the edges, and leaves the middle at the gain", () => {
    const channels = 2;
    const frames = 1000;
    const samples = new Float32Array(frames * channels).fill(0.5);
    const shape: ClipShape = { channels, frames, gain: 0.5, fadeInFrames: 100, fadeOutFrames: 100 };
    const { out } = shapeInChunks(samples, shape, 333);
    for (let f = 0; f < frames; f++) expect(out[2 * f]).to.equal(out[2 * f + 1]);
    expect(out[0]).to.be.below(0.001);
    expect(out[2 * (frames - 1)]).to.be.below(0.001);
    expect(out[2 * 100]).to.equal(0.25);
    expect(out[2 * 899]).to.equal(0.25);
    expect(out[2 * 50]).to.be.closeTo(0.25 * fadeInWeight(50, 100), 1e-7);
    expect(out[2 * 949]).to.be.closeTo(0.25 * fadeInWeight(50, 100), 1e-7);
  });

  it("leaves a crossfaded edge alone (fade length 0)", () => {
    const samples = new Float32Array(200).fill(0.3);
    const { out } = shapeInChunks(
      samples,
      { channels: 1, frames: 200, gain: 1, fadeInFrames: 0, fadeOutFrames: 0 },
      64,
    );
    expect(out.every((x) => Math.abs(x - 0.3) < 1e-7)).to.equal(true);
  });
});
