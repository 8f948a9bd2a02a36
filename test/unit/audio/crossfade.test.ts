import { expect } from "chai";
import { joinWithCrossfade, planChunks } from "../../../src/audio/crossfade.js";
import { mono, noise, sine } from "../../helpers/wav-builder.js";

const RATE = 1000;

function rms(samples: Float32Array): number {
  return Math.sqrt(samples.reduce((sum, x) => sum + x * x, 0) / samples.length);
}

describe("audio/crossfade", () => {
  describe("planChunks", () => {
    it("covers the whole source with overlapping chunks, the last one ending at the end", () => {
      expect(planChunks(250, 100, 10)).to.deep.equal([
        { start: 0, end: 100 },
        { start: 90, end: 190 },
        { start: 180, end: 250 },
      ]);
    });

    it("keeps a source no longer than one chunk whole, and refuses an overlap as long as the chunk", () => {
      expect(planChunks(100, 100, 10)).to.deep.equal([{ start: 0, end: 100 }]);
      expect(planChunks(0, 100, 10)).to.deep.equal([{ start: 0, end: 0 }]);
      expect(() => planChunks(500, 100, 100)).to.throw(RangeError);
      expect(() => planChunks(500, 100, -1)).to.throw(RangeError);
    });
  });

  describe("joinWithCrossfade", () => {
    it("gives back the source's length when the chunks of a plan are joined", () => {
      const source = sine({ freq: 7, seconds: 2.5, sampleRate: RATE });
      const spans = planChunks(source.length, 1000, 100);
      const joined = joinWithCrossfade(
        spans.map(({ start, end }) => mono(RATE, source.slice(start, end))),
        100,
      );
      expect(joined.samples.length).to.equal(source.length);
      // Outside the overlaps the audio is the source's, sample for sample.
      expect(joined.samples[500]).to.equal(source[500]);
      expect(joined.samples[1500]).to.equal(source[1500]);
    });

    it("keeps the power of uncorrelated audio steady through the overlap (equal-power curves)", () => {
      const a = noise({ seconds: 1, sampleRate: RATE, amplitude: 0.5, seed: 1 });
      const b = noise({ seconds: 1, sampleRate: RATE, amplitude: 0.5, seed: 2 });
      const joined = joinWithCrossfade([mono(RATE, a), mono(RATE, b)], 400).samples;
      const overlap = joined.subarray(600, 1000);
      expect(rms(overlap) / rms(a)).to.be.closeTo(1, 0.1);
    });

    it("cuts the overlap to what both chunks have, and refuses mixed rates", () => {
      const short = mono(RATE, new Float32Array(50).fill(1));
      const long = mono(RATE, new Float32Array(500).fill(1));
      expect(joinWithCrossfade([long, short], 100).samples.length).to.equal(500);
      expect(() => joinWithCrossfade([long, mono(RATE * 2, new Float32Array(10))], 5)).to.throw(RangeError);
      expect(() => joinWithCrossfade([], 5)).to.throw(RangeError);
    });
  });
});
