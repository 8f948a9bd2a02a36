import { expect } from "chai";
import { seededRandom } from "../../../src/domain/seeded-random.js";
import { SentenceBuffer } from "../../../src/text/sentence-buffer.js";
import { mergeShortSentences, splitSentences } from "../../../src/text/sentences.js";

const PARAGRAPH =
  "The storm passed over the hills at night. By morning, the river had risen, and the bridge was closed. " +
  "Farmers waited. Children watched the water from the school windows. Then, slowly, the level fell. " +
  "By evening the road was open again.";

/** `text` as an LLM streams it: words with their leading space. */
const words = (text: string): string[] => text.split(/(?=\s)/);

const nonWhitespace = (s: string): string => s.replace(/\s+/gu, "");

/** Feeds `deltas` one by one; returns what each append released and what the flush released. */
function feed(buffer: SentenceBuffer, deltas: readonly string[]): { released: string[][]; flushed: string[] } {
  const released = deltas.map((delta) => buffer.append(delta));
  return { released, flushed: buffer.flush() };
}

describe("text/sentence-buffer", () => {
  it("holds the last sentence until text follows it", () => {
    const buffer = new SentenceBuffer({ maxChars: 300 });
    expect(buffer.append("Hello world.")).to.deep.equal([]);
    expect(buffer.append(" How")).to.deep.equal(["Hello world."]);
    expect(buffer.append(" are you?")).to.deep.equal([]);
    expect(buffer.flush()).to.deep.equal(["How are you?"]);
    expect(buffer.length).to.equal(0);
  });

  it("releases a paragraph fed word by word sentence by sentence, as the whole-text splitter would cut it", () => {
    const { released, flushed } = feed(new SentenceBuffer({ maxChars: 300 }), words(PARAGRAPH));
    const pieces = [...released.flat(), ...flushed];
    expect(pieces).to.deep.equal(mergeShortSentences(splitSentences(PARAGRAPH)));
    // Each sentence leaves as the first word of the next one arrives, long before the flush.
    const firstAt = released.findIndex((r) => r.length > 0);
    expect(released[firstAt]).to.deep.equal(["The storm passed over the hills at night."]);
    expect(words(PARAGRAPH)[firstAt]).to.equal(" By");
    expect(flushed).to.deep.equal(["By evening the road was open again."]);
  });

  it("does not cut a decimal number or a title that are still arriving", () => {
    const buffer = new SentenceBuffer({ maxChars: 300 });
    const { released, flushed } = feed(buffer, ["I have 3.", "5 apples. ", "Ask Mr.", " Smith about them. ", "Now"]);
    expect(released.flat()).to.deep.equal(["I have 3.5 apples.", "Ask Mr. Smith about them."]);
    expect(flushed).to.deep.equal(["Now"]);
  });

  it("joins a tiny sentence to the one after it instead of speaking it alone", () => {
    const { released, flushed } = feed(new SentenceBuffer({ maxChars: 300 }), words("Hi. There you are. Go on."));
    expect(released.flat()).to.deep.equal(["Hi. There you are."]);
    expect(flushed).to.deep.equal(["Go on."]);
  });

  it("cuts a run with no sentence end at the limit, at word boundaries, keeping the unfinished word", () => {
    const buffer = new SentenceBuffer({ maxChars: 50 });
    // Deltas that end mid-word: "abcde" + "fghi " ...
    const deltas = Array.from({ length: 40 }, (_, i) => (i % 2 === 0 ? "abcde" : "fghi "));
    const { released, flushed } = feed(buffer, deltas);
    const early = released.flat();
    expect(early.length).to.be.greaterThan(2);
    for (const piece of [...early, ...flushed]) {
      expect(piece.length).to.be.at.most(50);
      expect(
        piece.split(" ").every((word) => word === "abcdefghi"),
        piece,
      ).to.equal(true);
    }
    expect(buffer.length).to.equal(0);
  });

  it("prefers a clause mark to a word boundary when it must cut a long sentence", () => {
    const buffer = new SentenceBuffer({ maxChars: 40 });
    const { released } = feed(buffer, words("one two three four five six, seven eight nine ten eleven twelve"));
    expect(released.flat()[0]).to.equal("one two three four five six,");
  });

  it("never loses or duplicates text, whatever the cuts between deltas", () => {
    const random = seededRandom(7);
    const text = `${PARAGRAPH} ${"And a very long clause with no end, ".repeat(12)}then it stops. Dr. No. Ok.`;
    for (let round = 0; round < 20; round += 1) {
      const deltas: string[] = [];
      for (let i = 0; i < text.length;) {
        const size = 1 + Math.floor(random() * 12);
        deltas.push(text.slice(i, i + size));
        i += size;
      }
      const { released, flushed } = feed(new SentenceBuffer({ maxChars: 60 }), deltas);
      const pieces = [...released.flat(), ...flushed];
      expect(nonWhitespace(pieces.join(" "))).to.equal(nonWhitespace(text));
      for (const piece of pieces) expect(piece.length).to.be.within(1, 60);
    }
  });

  it("keeps whitespace between deltas, counts what it holds, and forgets it all on clear", () => {
    const buffer = new SentenceBuffer({ maxChars: 300 });
    buffer.append("Hello");
    buffer.append(" ");
    expect(buffer.length).to.equal(6);
    expect(buffer.append("world.")).to.deep.equal([]);
    expect(buffer.flush()).to.deep.equal(["Hello world."]);
    buffer.append("Dropped text. And more");
    buffer.clear();
    expect(buffer.length).to.equal(0);
    expect(buffer.flush()).to.deep.equal([]);
  });

  it("gives nothing for whitespace alone, and separates paragraphs at blank lines", () => {
    const buffer = new SentenceBuffer({ maxChars: 300 });
    expect(buffer.append("  \n ")).to.deep.equal([]);
    expect(buffer.flush()).to.deep.equal([]);
    expect(buffer.append("A heading\n\nThen the text")).to.deep.equal(["A heading"]);
    expect(buffer.flush()).to.deep.equal(["Then the text"]);
  });

  it("uses the sentence rules of its language", () => {
    const buffer = new SentenceBuffer({ maxChars: 300, language: "de" });
    expect(buffer.append("Guten Tag. Wie geht")).to.deep.equal(["Guten Tag."]);
  });

  it("refuses a limit that is not a positive integer", () => {
    expect(() => new SentenceBuffer({ maxChars: 0 })).to.throw(RangeError);
  });
});
