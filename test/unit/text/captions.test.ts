import { expect } from "chai";
import {
  CAPTION_FORMATS,
  captionCues,
  renderCaptions,
  toSrt,
  toVtt,
  type CaptionSpan,
  type Cue,
} from "../../../src/text/captions.js";
import { seededRandom } from "../../../src/domain/seeded-random.js";

const TWO_SPANS: CaptionSpan[] = [
  { text: "  Hello,\n  world. ", startSeconds: 0, endSeconds: 1.5 },
  { text: "It was a dark and stormy night.", startSeconds: 1.5, endSeconds: 3.25 },
];

/** The lines `text` wraps into at `lineChars`, one line per cue. */
function linesAt(text: string, lineChars: number): string[][] {
  return captionCues([{ text, startSeconds: 0, endSeconds: 1 }], { lineChars, linesPerCue: 1 }).map((c) => c.lines);
}

/** The [start, end] milliseconds of every cue in an SRT file, read back from its timing lines. */
function srtTimesMs(srt: string): Array<[number, number]> {
  const toMs = (time: string): number => {
    const [h, m, s, ms] = time.split(/[:,]/u).map(Number);
    return ((h! * 60 + m!) * 60 + s!) * 1000 + ms!;
  };
  return [...srt.matchAll(/^(\S+) --> (\S+)$/gmu)].map((match) => [toMs(match[1]!), toMs(match[2]!)]);
}

describe("text/captions", () => {
  describe("toSrt and toVtt", () => {
    it("writes SubRip: numbered cues, comma milliseconds, a blank line between cues and a final newline", () => {
      expect(toSrt(captionCues(TWO_SPANS))).to.equal(
        "1\n00:00:00,000 --> 00:00:01,500\nHello, world.\n\n" +
          "2\n00:00:01,500 --> 00:00:03,250\nIt was a dark and stormy night.\n",
      );
    });

    it("writes WebVTT: the header and a blank line, then cues with dot milliseconds", () => {
      expect(toVtt(captionCues(TWO_SPANS))).to.equal(
        "WEBVTT\n\n" +
          "00:00:00.000 --> 00:00:01.500\nHello, world.\n\n" +
          "00:00:01.500 --> 00:00:03.250\nIt was a dark and stormy night.\n",
      );
    });

    it("writes a cue's lines on lines of their own", () => {
      const cues: Cue[] = [{ startSeconds: 1, endSeconds: 2, lines: ["first line", "second line"] }];
      expect(toSrt(cues)).to.equal("1\n00:00:01,000 --> 00:00:02,000\nfirst line\nsecond line\n");
      expect(toVtt(cues)).to.equal("WEBVTT\n\n00:00:01.000 --> 00:00:02.000\nfirst line\nsecond line\n");
    });

    it("writes hours, minutes and rounded milliseconds, past 99 hours too", () => {
      const cues: Cue[] = [{ startSeconds: 3723.4567, endSeconds: 360_000.0004, lines: ["long"] }];
      expect(toSrt(cues)).to.equal("1\n01:02:03,457 --> 100:00:00,000\nlong\n");
    });

    it("holds an end that rounds before its start at the start", () => {
      const cues: Cue[] = [{ startSeconds: 2.0006, endSeconds: 2.0004, lines: ["x"] }];
      expect(toSrt(cues)).to.contain("00:00:02,001 --> 00:00:02,001");
      expect(toVtt(cues)).to.contain("00:00:02.001 --> 00:00:02.001");
    });

    it("escapes WebVTT markup characters, and leaves SubRip text as it is", () => {
      const cues = captionCues([{ text: "Tom & Jerry <3 --> ever", startSeconds: 0, endSeconds: 1 }]);
      expect(toVtt(cues)).to.contain("\nTom &amp; Jerry &lt;3 --&gt; ever\n");
      expect(toSrt(cues)).to.contain("\nTom & Jerry <3 --> ever\n");
    });

    it("writes an empty SubRip file and a header-only WebVTT file for no cues", () => {
      expect(toSrt([])).to.equal("");
      expect(toVtt([])).to.equal("WEBVTT\n");
    });

    it("rejects negative and non-finite cue times", () => {
      for (const bad of [-0.001, Number.NaN, Number.POSITIVE_INFINITY]) {
        const cues: Cue[] = [{ startSeconds: bad, endSeconds: 1, lines: ["x"] }];
        expect(() => toSrt(cues)).to.throw(RangeError);
        expect(() => toVtt(cues)).to.throw(RangeError);
      }
    });

    it("renders each of CAPTION_FORMATS with its writer", () => {
      const cues = captionCues(TWO_SPANS);
      expect(CAPTION_FORMATS).to.deep.equal(["srt", "vtt"]);
      expect(renderCaptions("srt", cues)).to.equal(toSrt(cues));
      expect(renderCaptions("vtt", cues)).to.equal(toVtt(cues));
    });
  });

  describe("captionCues: wrapping", () => {
    it("wraps at word boundaries into lines of at most lineChars", () => {
      expect(linesAt("aaa bbb ccc dddd", 10)).to.deep.equal([["aaa bbb"], ["ccc dddd"]]);
      expect(linesAt("aaaa bbbbb", 10)).to.deep.equal([["aaaa bbbbb"]]);
      expect(linesAt("aaaa bbbbbb", 10)).to.deep.equal([["aaaa"], ["bbbbbb"]]);
    });

    it("gives a word longer than a line a line of its own", () => {
      expect(linesAt("a supercalifragilistic b c", 10)).to.deep.equal([["a"], ["supercalifragilistic"], ["b c"]]);
    });

    it("counts characters as code points", () => {
      expect(linesAt("éééé 😀😀😀", 8)).to.deep.equal([["éééé 😀😀😀"]]);
    });

    it("groups linesPerCue lines per cue, by default 42-character lines two to a cue", () => {
      const text = Array.from({ length: 30 }, (_, i) => `word${i}`).join(" ");
      const cues = captionCues([{ text, startSeconds: 0, endSeconds: 10 }]);
      const lines = cues.flatMap((c) => c.lines);
      // 199 characters: five lines, each as full as the next word allows.
      expect(cues.map((c) => c.lines.length)).to.deep.equal([2, 2, 1]);
      lines.forEach((line, i) => {
        expect(line.length).to.be.at.most(42);
        if (i + 1 < lines.length) expect(`${line} ${lines[i + 1]!.split(" ")[0]}`.length).to.be.above(42);
      });
      expect(lines.join(" ")).to.equal(text);
    });

    it("skips blank spans", () => {
      const cues = captionCues([
        { text: " \n\t", startSeconds: 0, endSeconds: 1 },
        { text: "spoken", startSeconds: 1, endSeconds: 2 },
        { text: "", startSeconds: 2, endSeconds: 3 },
      ]);
      expect(cues).to.deep.equal([{ startSeconds: 1, endSeconds: 2, lines: ["spoken"] }]);
    });
  });

  describe("captionCues: timing", () => {
    it("divides a span's time between its cues in proportion to their characters", () => {
      const cues = captionCues([{ text: "aaaaaaaaa b", startSeconds: 10, endSeconds: 20 }], {
        lineChars: 10,
        linesPerCue: 1,
      });
      expect(cues).to.deep.equal([
        { startSeconds: 10, endSeconds: 19, lines: ["aaaaaaaaa"] },
        { startSeconds: 19, endSeconds: 20, lines: ["b"] },
      ]);
    });

    it("weighs a cue by all its lines", () => {
      const cues = captionCues([{ text: "aaa bbb ccc dd", startSeconds: 0, endSeconds: 2.5 }], {
        lineChars: 3,
        linesPerCue: 2,
      });
      // "aaa bbb" has 7 characters and "ccc dd" 6, so the first cue gets 7/13 of the time.
      expect(cues.map((c) => c.lines)).to.deep.equal([
        ["aaa", "bbb"],
        ["ccc", "dd"],
      ]);
      expect(cues[0]!.endSeconds).to.be.closeTo((2.5 * 7) / 13, 1e-12);
      expect(cues[1]!.endSeconds).to.equal(2.5);
    });

    it("puts cues in time order when spans come out of order", () => {
      const cues = captionCues([
        { text: "second", startSeconds: 2, endSeconds: 3 },
        { text: "first", startSeconds: 0, endSeconds: 1 },
      ]);
      expect(cues.map((c) => c.lines[0])).to.deep.equal(["first", "second"]);
    });

    it("starts a span that overlaps the previous one when that one ends", () => {
      const cues = captionCues([
        { text: "one", startSeconds: 0, endSeconds: 2 },
        { text: "two", startSeconds: 1.5, endSeconds: 3 },
        { text: "inside", startSeconds: 2.2, endSeconds: 2.5 },
      ]);
      expect(cues.map((c) => [c.startSeconds, c.endSeconds])).to.deep.equal([
        [0, 2],
        [2, 3],
        [3, 3],
      ]);
    });

    it("never overlaps or ends a cue before it starts, before or after rounding to milliseconds", () => {
      const random = seededRandom(7);
      const spans: CaptionSpan[] = [];
      let at = 0;
      for (let i = 0; i < 300; i++) {
        const duration = random() < 0.2 ? random() * 0.002 : random() * 4;
        const words = Array.from({ length: 1 + Math.floor(random() * 40) }, () =>
          "w".repeat(1 + Math.floor(random() * 12)),
        );
        spans.push({ text: words.join(" "), startSeconds: at, endSeconds: at + duration });
        at += duration + (random() < 0.5 ? 0 : random() * 0.0015);
      }
      const cues = captionCues(spans, { lineChars: 20, linesPerCue: 2 });
      expect(cues.length).to.be.greaterThan(spans.length);
      cues.forEach((cue, i) => {
        expect(cue.endSeconds).to.be.at.least(cue.startSeconds);
        if (i > 0) expect(cue.startSeconds).to.be.at.least(cues[i - 1]!.endSeconds);
      });
      const times = srtTimesMs(toSrt(cues));
      expect(times).to.have.length(cues.length);
      times.forEach(([start, end], i) => {
        expect(end).to.be.at.least(start);
        if (i > 0) expect(start).to.be.at.least(times[i - 1]![1]);
      });
    });

    it("rejects invalid span times and limits", () => {
      const span = (startSeconds: number, endSeconds: number): CaptionSpan[] => [
        { text: "x", startSeconds, endSeconds },
      ];
      expect(() => captionCues(span(-1, 1))).to.throw(RangeError);
      expect(() => captionCues(span(0, Number.NaN))).to.throw(RangeError);
      expect(() => captionCues(span(2, 1))).to.throw(RangeError, /ends before it starts/);
      expect(() => captionCues(span(0, 1), { lineChars: 0, linesPerCue: 2 })).to.throw(RangeError, /lineChars/);
      expect(() => captionCues(span(0, 1), { lineChars: 42, linesPerCue: 1.5 })).to.throw(RangeError, /linesPerCue/);
    });
  });

  describe("captionCues: word timings", () => {
    const lines = { lineChars: 7, linesPerCue: 1 };

    it("starts each later cue where its first word starts, when there is one start per word", () => {
      // By characters the two cues would meet at 12; the words say the second one starts at 12.6.
      const cues = captionCues(
        [{ text: "aaa bbb ccc ddd", startSeconds: 10, endSeconds: 14, wordStarts: [10.2, 10.5, 12.6, 13] }],
        lines,
      );
      expect(cues).to.deep.equal([
        { startSeconds: 10, endSeconds: 12.6, lines: ["aaa bbb"] },
        { startSeconds: 12.6, endSeconds: 14, lines: ["ccc ddd"] },
      ]);
    });

    it("counts the words of every line of a cue to find the next cue's first word", () => {
      const cues = captionCues(
        [{ text: "aaa bbb ccc ddd eee fff", startSeconds: 0, endSeconds: 6, wordStarts: [0, 1, 2, 3, 4.5, 5] }],
        { lineChars: 7, linesPerCue: 2 },
      );
      expect(cues.map((c) => [c.startSeconds, c.endSeconds, c.lines])).to.deep.equal([
        [0, 4.5, ["aaa bbb", "ccc ddd"]],
        [4.5, 6, ["eee fff"]],
      ]);
    });

    it("divides by characters when the word starts do not match the written words one to one", () => {
      const span = { text: "aaa bbb ccc ddd", startSeconds: 10, endSeconds: 14 };
      const byCharacters = captionCues([span], lines);
      expect(byCharacters.map((c) => c.endSeconds)).to.deep.equal([12, 14]);
      expect(captionCues([{ ...span, wordStarts: [10, 10.5, 12.6] }], lines)).to.deep.equal(byCharacters);
      expect(captionCues([{ ...span, wordStarts: [] }], lines)).to.deep.equal(byCharacters);
    });

    it("keeps word-timed boundaries inside the span and in order, whatever the word starts say", () => {
      const cues = captionCues([{ text: "a b c d", startSeconds: 1, endSeconds: 3, wordStarts: [0, 2.5, 9, 2] }], {
        lineChars: 1,
        linesPerCue: 1,
      });
      expect(cues.map((c) => [c.startSeconds, c.endSeconds])).to.deep.equal([
        [1, 2.5],
        [2.5, 3],
        [3, 3],
        [3, 3],
      ]);
    });

    it("moves a span that overlaps the previous one, word-timed cues included", () => {
      const cues = captionCues(
        [
          { text: "one", startSeconds: 0, endSeconds: 2 },
          { text: "aaa bbb ccc ddd", startSeconds: 1, endSeconds: 4, wordStarts: [1, 1.5, 1.8, 3] },
        ],
        lines,
      );
      expect(cues.map((c) => [c.startSeconds, c.endSeconds])).to.deep.equal([
        [0, 2],
        [2, 2],
        [2, 4],
      ]);
    });
  });
});
