import { expect } from "chai";
import { groupGreedy, groupShort, segmentText, type SegmentOptions } from "../../../src/text/segment.js";
import { seededRandom } from "../../../src/domain/seeded-random.js";

/** A sentence of exactly `n` characters (n ≥ 4) made of words, starting with a capital and ending with ".". */
function sentenceOfLength(n: number): string {
  let body = "Word";
  while (body.length < n - 1) body += body.length % 6 === 0 ? " " : "x";
  return `${body
    .slice(0, n - 1)
    .trimEnd()
    .padEnd(n - 1, "y")}.`;
}

const nonWhitespace = (s: string): string => s.replace(/\s+/gu, "");

const SINGLE: SegmentOptions = { smartBatchShortSentences: false };

describe("text/segment", () => {
  describe("grouping", () => {
    it("smart-appends short sentences: lengths [9,20,121,28,13] → [[9,20],[121],[28,13]]", () => {
      const lengths = [9, 20, 121, 28, 13];
      const units = lengths.map(sentenceOfLength);
      const groups = groupShort(units, { minChars: 100, maxChars: 300 });
      expect(groups.map((g) => g.map((s) => s.length))).to.deep.equal([[9, 20], [121], [28, 13]]);
      const chunks = segmentText(units.join(" "));
      expect(chunks).to.deep.equal([`${units[0]} ${units[1]}`, units[2], `${units[3]} ${units[4]}`]);
    });

    it("closes a smart group once it reaches the minimum, and before it would pass maxChars", () => {
      const groups = groupShort(["a".repeat(60), "b".repeat(60), "c".repeat(10)], { minChars: 100, maxChars: 300 });
      expect(groups.map((g) => g.length)).to.deep.equal([2, 1]);
      const capped = groupShort(["a".repeat(60), "b".repeat(60)], { minChars: 100, maxChars: 100 });
      expect(capped.map((g) => g.length)).to.deep.equal([1, 1]);
    });

    it("batches greedily up to maxChars, counting the joining spaces", () => {
      const units = ["a".repeat(100), "b".repeat(100), "c".repeat(98), "d".repeat(10)];
      expect(groupGreedy(units, 300).map((g) => g.length)).to.deep.equal([3, 1]);
      expect(groupGreedy(units, 299).map((g) => g.length)).to.deep.equal([2, 2]);
    });

    it("uses greedy batching when enableBatching is set, even if smart batching is on", () => {
      const text = [40, 40, 40, 40].map(sentenceOfLength).join(" ");
      expect(segmentText(text, { enableBatching: true, maxChars: 90 })).to.have.length(2);
      expect(segmentText(text, { enableBatching: true, smartBatchShortSentences: true, maxChars: 300 })).to.have.length(
        1,
      );
    });

    it("gives one sentence per segment when both batching modes are off", () => {
      expect(segmentText("The first sentence. The second one! A third?", SINGLE)).to.deep.equal([
        "The first sentence.",
        "The second one!",
        "A third?",
      ]);
    });

    it("lower-cases after finding sentences, so lower-casing never merges them", () => {
      expect(
        segmentText("The first sentence. The second one! A third?", { ...SINGLE, toLowercase: true }),
      ).to.deep.equal(["the first sentence.", "the second one!", "a third?"]);
    });
  });

  describe("never dropping text", () => {
    it("merges a tiny sentence into the next one, or the previous one at the end", () => {
      expect(segmentText("Hi. How are you today?", SINGLE)).to.deep.equal(["Hi. How are you today?"]);
      expect(segmentText("How are you today? Ok.", SINGLE)).to.deep.equal(["How are you today? Ok."]);
      expect(segmentText("Hi.", SINGLE)).to.deep.equal(["Hi."]);
    });

    it("keeps a title abbreviation with the name that follows", () => {
      expect(segmentText("Mrs. Smith went home. Dr. Jones stayed.", SINGLE)).to.deep.equal([
        "Mrs. Smith went home.",
        "Dr. Jones stayed.",
      ]);
    });

    it("splits an overlong sentence at clause marks first", () => {
      const clause = (c: string): string => `${c.repeat(5)} ${"word ".repeat(22)}`.trim();
      const sentence = `${clause("a")}, ${clause("b")}; ${clause("c")} — ${clause("d")}.`;
      const chunks = segmentText(sentence, { ...SINGLE, maxChars: 250 });
      expect(chunks.length).to.be.greaterThan(1);
      for (const chunk of chunks.slice(0, -1)) expect(chunk).to.match(/[,;—]$/);
    });

    it("then at word boundaries, never cutting a word", () => {
      const words = Array.from({ length: 200 }, (_, i) => `word${i}`);
      const chunks = segmentText(words.join(" "), { ...SINGLE, maxChars: 100 });
      expect(chunks.flatMap((c) => c.split(" "))).to.deep.equal(words);
      for (const chunk of chunks) expect(chunk.length).to.be.at.most(100);
    });

    it("hard-splits a single token longer than maxChars", () => {
      const token = "x".repeat(700);
      expect(segmentText(token).map((c) => c.length)).to.deep.equal([300, 300, 100]);
    });

    it("keeps sentences longer than 500 characters that the Python server skipped", () => {
      const long = `${"This clause keeps going, ".repeat(30)}end.`;
      expect(nonWhitespace(segmentText(long).join(""))).to.equal(nonWhitespace(long));
    });

    it("does not cut grapheme clusters such as emoji", () => {
      const emoji = "👍🏽";
      const chunks = segmentText(emoji.repeat(50), { maxChars: 20 });
      for (const chunk of chunks) expect(chunk).to.match(/^(?:👍🏽)+$/u);
    });

    it("returns nothing for blank text", () => {
      expect(segmentText("")).to.deep.equal([]);
      expect(segmentText(" \n\t ")).to.deep.equal([]);
    });

    it("rejects a maxChars that is not a positive integer", () => {
      expect(() => segmentText("Some text here.", { maxChars: 0 })).to.throw(RangeError);
    });
  });

  describe("sentence boundaries", () => {
    it("does not break hard-wrapped lines, but does break at blank lines", () => {
      expect(segmentText("This sentence is wrapped\nacross two lines.", SINGLE)).to.have.length(1);
      expect(segmentText("Chapter One\n\nIt was a dark night.", SINGLE)).to.deep.equal([
        "Chapter One",
        "It was a dark night.",
      ]);
    });

    it("uses the language's sentence rules", () => {
      expect(segmentText("今日は晴れです。明日は雨が降ります。", { ...SINGLE, language: "ja" })).to.deep.equal([
        "今日は晴れです。",
        "明日は雨が降ります。",
      ]);
    });
  });

  describe("properties over generated texts", () => {
    const texts = generateTexts(300);
    const modes: Array<[string, SegmentOptions]> = [
      ["smart", {}],
      ["batching", { enableBatching: true }],
      ["single", SINGLE],
    ];
    for (const [name, mode] of modes) {
      for (const maxChars of [20, 57, 120, 300]) {
        it(`${name} mode, maxChars ${maxChars}: keeps all text, in order, in non-blank segments that fit`, () => {
          for (const text of texts) {
            const chunks = segmentText(text, { ...mode, maxChars });
            expect(nonWhitespace(chunks.join("")), JSON.stringify(text)).to.equal(nonWhitespace(text));
            for (const chunk of chunks) {
              expect(chunk.trim(), JSON.stringify(text)).to.equal(chunk);
              expect(chunk).to.not.equal("");
              expect(chunk.length, JSON.stringify(chunk)).to.be.at.most(maxChars);
              expect(/\p{Cs}/u.test(chunk), `lone surrogate in ${JSON.stringify(chunk)}`).to.equal(false);
            }
          }
        });
      }
    }
  });
});

/** Reproducible texts mixing the hard cases: tiny sentences, abbreviations, long clauses, huge tokens, Unicode. */
function generateTexts(count: number): string[] {
  const random = seededRandom(20240629);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const words = [
    "the",
    "voice",
    "Mr.",
    "Dr.",
    "e.g.",
    "U.S.A.",
    "1,000",
    "3.5",
    "naïve",
    "café",
    "你好",
    "👍🏽",
    "مرحبا",
    "well—then",
    "a–b",
    "x",
    "I",
    "end...",
    "(3)",
    "[12]",
    '"quoted"',
    "it's",
  ];
  const ends = [".", "!", "?", "…", "。", "", ". ", "?!"];
  const spaces = [" ", " ", " ", "  ", "\n", "\n\n", "\t", " \n "];
  const texts: string[] = [];
  for (let t = 0; t < count; t++) {
    let text = random() < 0.3 ? pick(spaces) : "";
    const sentences = 1 + Math.floor(random() * 12);
    for (let s = 0; s < sentences; s++) {
      const kind = random();
      if (kind < 0.15) text += pick(["Hi.", "Ok!", "No?", "A.", "Yo"]);
      else if (kind < 0.22) text += "z".repeat(50 + Math.floor(random() * 700));
      else {
        const length = 1 + Math.floor(random() * (kind < 0.35 ? 150 : 25));
        const parts: string[] = [];
        for (let w = 0; w < length; w++) parts.push(pick(words) + (random() < 0.1 ? pick([",", ";", ":"]) : ""));
        text += parts.join(" ") + pick(ends);
      }
      text += pick(spaces);
    }
    texts.push(text);
  }
  return texts;
}
