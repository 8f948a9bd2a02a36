import { expect } from "chai";
import { MAX_SEED } from "../../../src/domain/tts-fields.js";
import { deriveSegmentSeed, resolveSeed } from "../../../src/services/seeds.js";
import { seededRandom } from "../../../src/domain/seeded-random.js";

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
      const input = { base: 123456789, chunkIndex: 7, candidate: 1, attempt: 2 };
      expect(deriveSegmentSeed(input)).to.equal(deriveSegmentSeed({ ...input }));
    });

    it("stays within 1..2^32−1", () => {
      const random = seededRandom(3);
      for (let i = 0; i < 5000; i++) {
        const seed = deriveSegmentSeed({
          base: Math.floor(random() * MAX_SEED),
          chunkIndex: Math.floor(random() * 500),
          candidate: Math.floor(random() * 10),
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
          for (let attempt = 0; attempt < 10; attempt++) {
            seen.add(deriveSegmentSeed({ base, chunkIndex, candidate: 0, attempt }));
          }
        }
        expect(seen.size).to.equal(2000);
      }
    });

    it("differs across every candidate and attempt of verified TTS (10 × 10 tries of 20 chunks)", () => {
      for (const base of [1, 42, MAX_SEED]) {
        const seen = new Set<number>();
        for (let chunkIndex = 0; chunkIndex < 20; chunkIndex++) {
          for (let candidate = 0; candidate < 10; candidate++) {
            for (let attempt = 0; attempt < 10; attempt++) {
              seen.add(deriveSegmentSeed({ base, chunkIndex, candidate, attempt }));
            }
          }
        }
        expect(seen.size).to.equal(2000);
      }
    });

    it("keeps the seeds of candidate 0 that requests had before candidates existed, so their audio is unchanged", () => {
      // Recorded from the derivation of (base, chunk, attempt) before candidates were added.
      const before: Array<[number, number, number, number]> = [
        [42, 0, 0, 3140534338],
        [42, 1, 0, 686505324],
        [42, 1, 2, 3524909626],
        [MAX_SEED, 7, 0, 2733267000],
        [1, 199, 9, 2292415387],
      ];
      for (const [base, chunkIndex, attempt, seed] of before) {
        expect(deriveSegmentSeed({ base, chunkIndex, candidate: 0, attempt })).to.equal(seed);
      }
    });

    it("differs for neighbouring base seeds, so seeds 41 and 42 give unrelated runs", () => {
      const seedOf = (base: number, chunkIndex: number) =>
        deriveSegmentSeed({ base, chunkIndex, candidate: 0, attempt: 0 });
      const a = Array.from({ length: 50 }, (_, i) => seedOf(41, i));
      const b = Array.from({ length: 50 }, (_, i) => seedOf(42, i));
      expect(a.filter((x) => b.includes(x))).to.deep.equal([]);
    });

    it("mixes well: flipping one input bit flips about half the output bits", () => {
      let flipped = 0;
      let trials = 0;
      for (let base = 1; base < 200; base++) {
        const seed = deriveSegmentSeed({ base, chunkIndex: 3, candidate: 2, attempt: 1 });
        for (const other of [
          deriveSegmentSeed({ base: base ^ 1, chunkIndex: 3, candidate: 2, attempt: 1 }),
          deriveSegmentSeed({ base, chunkIndex: 2, candidate: 2, attempt: 1 }),
          deriveSegmentSeed({ base, chunkIndex: 3, candidate: 3, attempt: 1 }),
          deriveSegmentSeed({ base, chunkIndex: 3, candidate: 2, attempt: 0 }),
        ]) {
          flipped += popcount((seed ^ other) >>> 0);
          trials++;
        }
      }
      expect(flipped / trials).to.be.closeTo(16, 1);
    });

    it("rejects negative, fractional or oversized inputs", () => {
      const seed = (input: Partial<Parameters<typeof deriveSegmentSeed>[0]>) => () =>
        deriveSegmentSeed({ base: 1, chunkIndex: 0, candidate: 0, attempt: 0, ...input });
      expect(seed({ base: -1 })).to.throw(RangeError, /base/);
      expect(seed({ chunkIndex: 0.5 })).to.throw(RangeError, /chunkIndex/);
      expect(seed({ candidate: -1 })).to.throw(RangeError, /candidate/);
      expect(seed({ base: MAX_SEED + 1 })).to.throw(RangeError);
    });
  });
});

function popcount(x: number): number {
  let n = 0;
  for (let v = x; v !== 0; v >>>= 1) n += v & 1;
  return n;
}
