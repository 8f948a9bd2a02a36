import { expect } from "chai";
import { MAX_SEED } from "../../../src/domain/tts-fields.js";
import { deriveSegmentSeed, resolveSeed } from "../../../src/services/seeds.js";
import { seededRandom } from "../../helpers/wav-builder.js";

describe("services/seeds", () => {
  describe("resolveSeed", () => {
    it("keeps a requested seed", () => {
      expect(resolveSeed(42)).to.equal(42);
      expect(resolveSeed(MAX_SEED)).to.equal(MAX_SEED);
    });

    it("draws a random seed in 1..2^32−1 for 0", () => {
      expect(resolveSeed(0, () => 0)).to.equal(1);
      expect(resolveSeed(0, () => 0.999999999999)).to.equal(MAX_SEED);
      expect(resolveSeed(0, () => 0.5)).to.equal(2147483648);
      for (let i = 0; i < 1000; i++) expect(resolveSeed(0)).to.be.within(1, MAX_SEED);
    });

    it("rejects seeds a generator cannot take and broken random sources", () => {
      for (const bad of [-1, 1.5, MAX_SEED + 1, Number.NaN]) expect(() => resolveSeed(bad)).to.throw(RangeError);
      expect(() => resolveSeed(0, () => 1)).to.throw(RangeError);
    });
  });

  describe("deriveSegmentSeed", () => {
    it("is deterministic", () => {
      const input = { base: 123456789, chunkIndex: 7, attempt: 2 };
      expect(deriveSegmentSeed(input)).to.equal(deriveSegmentSeed({ ...input }));
    });

    it("stays within 1..2^32−1", () => {
      const random = seededRandom(3);
      for (let i = 0; i < 5000; i++) {
        const seed = deriveSegmentSeed({
          base: Math.floor(random() * MAX_SEED),
          chunkIndex: Math.floor(random() * 500),
          attempt: Math.floor(random() * 10),
        });
        expect(Number.isInteger(seed)).to.equal(true);
        expect(seed).to.be.within(1, MAX_SEED);
      }
    });

    it("differs across chunks and attempts of one request", () => {
      for (const base of [1, 42, MAX_SEED]) {
        const seen = new Set<number>();
        for (let chunkIndex = 0; chunkIndex < 200; chunkIndex++) {
          for (let attempt = 0; attempt < 10; attempt++) seen.add(deriveSegmentSeed({ base, chunkIndex, attempt }));
        }
        expect(seen.size).to.equal(2000);
      }
    });

    it("differs for neighbouring base seeds, so seeds 41 and 42 give unrelated runs", () => {
      const a = Array.from({ length: 50 }, (_, i) => deriveSegmentSeed({ base: 41, chunkIndex: i, attempt: 0 }));
      const b = Array.from({ length: 50 }, (_, i) => deriveSegmentSeed({ base: 42, chunkIndex: i, attempt: 0 }));
      expect(a.filter((x) => b.includes(x))).to.deep.equal([]);
    });

    it("mixes well: flipping one input bit flips about half the output bits", () => {
      let flipped = 0;
      let trials = 0;
      for (let base = 1; base < 200; base++) {
        const seed = deriveSegmentSeed({ base, chunkIndex: 3, attempt: 1 });
        for (const other of [
          deriveSegmentSeed({ base: base ^ 1, chunkIndex: 3, attempt: 1 }),
          deriveSegmentSeed({ base, chunkIndex: 2, attempt: 1 }),
          deriveSegmentSeed({ base, chunkIndex: 3, attempt: 0 }),
        ]) {
          flipped += popcount((seed ^ other) >>> 0);
          trials++;
        }
      }
      expect(flipped / trials).to.be.closeTo(16, 1);
    });

    it("rejects negative, fractional or oversized inputs", () => {
      expect(() => deriveSegmentSeed({ base: -1, chunkIndex: 0, attempt: 0 })).to.throw(RangeError, /base/);
      expect(() => deriveSegmentSeed({ base: 1, chunkIndex: 0.5, attempt: 0 })).to.throw(RangeError, /chunkIndex/);
      expect(() => deriveSegmentSeed({ base: MAX_SEED + 1, chunkIndex: 0, attempt: 0 })).to.throw(RangeError);
    });
  });
});

function popcount(x: number): number {
  let n = 0;
  for (let v = x; v !== 0; v >>>= 1) n += v & 1;
  return n;
}
