import { expect } from "chai";
import { framesToMs, msToFrames, planGaps, type PlannedGap } from "../../../../src/audio/concat/plan-gaps.js";
import type { ConcatItem } from "../../../../src/audio/concat/types.js";

type Kind = ConcatItem["kind"];
const clip: Kind = "clip";
const silence: Kind = "silence";
const kindsOf = (gaps: PlannedGap[]) => gaps.map((gap) => gap.kind);

describe("audio/concat/plan-gaps", () => {
  describe("planGaps", () => {
    it("butt-joins clips when nothing else is asked for, one gap between each two clips", () => {
      const gaps = planGaps([clip, clip, clip], { crossfadeMs: 0 });
      expect(gaps).to.deep.equal([
        { after: 0, before: 1, kind: "butt" },
        { after: 1, before: 2, kind: "butt" },
      ]);
    });

    it("crossfades clips that meet directly when a crossfade is set", () => {
      const gaps = planGaps([clip, clip], { crossfadeMs: 120 });
      expect(gaps).to.deep.equal([{ after: 0, before: 1, kind: "crossfade", ms: 120 }]);
    });

    it("puts a pause rather than a crossfade when both are set, so the two never combine", () => {
      const gaps = planGaps([clip, clip, clip], { crossfadeMs: 120, pause: { baseMs: 400, variationMs: 0, seed: 1 } });
      expect(kindsOf(gaps)).to.deep.equal(["pause", "pause"]);
    });

    it("keeps a manual silence where one is given and pauses only elsewhere", () => {
      const gaps = planGaps([clip, silence, clip, clip], {
        crossfadeMs: 50,
        pause: { baseMs: 300, variationMs: 100, seed: 7 },
      });
      expect(gaps.map(({ after, before, kind }) => ({ after, before, kind }))).to.deep.equal([
        { after: 0, before: 2, kind: "silence" },
        { after: 2, before: 3, kind: "pause" },
      ]);
    });

    it("treats several silences in a row as one gap of silence between the two clips", () => {
      const gaps = planGaps([clip, silence, silence, silence, clip], { crossfadeMs: 100 });
      expect(gaps).to.deep.equal([{ after: 0, before: 4, kind: "silence" }]);
    });

    it("adds no gap before the first clip or after the last one (no leading or trailing pause)", () => {
      const pause = { baseMs: 500, variationMs: 200, seed: 3 };
      expect(planGaps([silence, clip, silence], { crossfadeMs: 0, pause })).to.deep.equal([]);
      const gaps = planGaps([silence, clip, clip, silence], { crossfadeMs: 0, pause });
      expect(gaps.map((gap) => [gap.after, gap.before])).to.deep.equal([[1, 2]]);
    });

    it("draws whole-millisecond pauses within base ± variation and records each draw", () => {
      const kinds = Array.from({ length: 400 }, () => clip);
      const gaps = planGaps(kinds, { crossfadeMs: 0, pause: { baseMs: 600, variationMs: 150, seed: 42 } });
      const drawn = new Set<number>();
      for (const gap of gaps) {
        if (gap.kind !== "pause") throw new Error("expected a pause");
        expect(Number.isInteger(gap.ms)).to.equal(true);
        expect(gap.ms).to.be.within(450, 750);
        expect(gap.ms).to.equal(gap.baseMs + gap.variationMs);
        drawn.add(gap.ms);
      }
      // Uniform over 301 values: 399 draws reach both ends of the range and most values between.
      expect(Math.min(...drawn)).to.be.below(460);
      expect(Math.max(...drawn)).to.be.above(740);
      expect(drawn.size).to.be.above(200);
    });

    it("gives the same pauses for the same seed and other pauses for another seed", () => {
      const kinds = [clip, clip, clip, clip, clip, clip];
      const pauses = (seed: number) =>
        planGaps(kinds, { crossfadeMs: 0, pause: { baseMs: 800, variationMs: 300, seed } }).map((gap) =>
          gap.kind === "pause" ? gap.ms : -1,
        );
      expect(pauses(1234)).to.deep.equal(pauses(1234));
      expect(pauses(1234)).to.not.deep.equal(pauses(1235));
    });

    it("uses the base alone when the variation is 0", () => {
      const gaps = planGaps([clip, clip], { crossfadeMs: 0, pause: { baseMs: 250, variationMs: 0, seed: 9 } });
      expect(gaps[0]).to.include({ kind: "pause", ms: 250, variationMs: 0 });
    });
  });

  describe("msToFrames / framesToMs", () => {
    it("rounds to the nearest frame at the output rate", () => {
      expect(msToFrames(500, 24000)).to.equal(12000);
      expect(msToFrames(333, 22050)).to.equal(7343); // 7342.65
      expect(msToFrames(10, 44100)).to.equal(441);
      expect(framesToMs(12000, 24000)).to.equal(500);
    });
  });
});
