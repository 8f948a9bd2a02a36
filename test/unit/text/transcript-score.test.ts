import { expect } from "chai";
import { normalizeForScoring, wordErrorRate } from "../../../src/text/transcript-score.js";

const words = (text: string) => normalizeForScoring(text).join(" ");

describe("text/transcript-score", () => {
  describe("normalizeForScoring", () => {
    it("lower-cases, strips punctuation and collapses whitespace", () => {
      expect(words('  "Hello,   World!"  How are you?\n(Fine.)  ')).to.equal("hello world how are you fine");
    });

    it("removes apostrophes inside words and turns dashes into spaces", () => {
      expect(words("Don't stop—it’s well-known… rock 'n' roll")).to.equal("dont stop its well known rock n roll");
    });

    it("applies Unicode NFKC, so compatibility forms read as plain letters and digits", () => {
      expect(words("Ｆｕｌｌ ｗｉｄｔｈ ５ ﬁne")).to.equal("full width five fine");
    });

    it("reads integers, thousands separators and years as English words", () => {
      expect(words("0 7 13 40 99 100 105")).to.equal(
        "zero seven thirteen forty ninety nine one hundred one hundred five",
      );
      expect(words("1,234,567")).to.equal("one million two hundred thirty four thousand five hundred sixty seven");
      expect(words("in 1984")).to.equal("in one thousand nine hundred eighty four");
      expect(words("2000")).to.equal("two thousand");
      // Codes with leading zeros are read digit by digit, as people read them.
      expect(words("agent 007")).to.equal("agent zero zero seven");
    });

    it("reads decimals digit by digit after 'point'", () => {
      expect(words("3.5 and 3.14.")).to.equal("three point five and three point one four");
    });

    it("reads ordinals", () => {
      expect(words("1st 2nd 3rd 4th 5th 8th 9th 12th 20th 21st 100th")).to.equal(
        "first second third fourth fifth eighth ninth twelfth twentieth twenty first one hundredth",
      );
    });

    it("reads percent and simple currency amounts", () => {
      expect(words("50% of 2.5 %")).to.equal("fifty percent of two point five percent");
      expect(words("$5, $1 and $1,000")).to.equal("five dollars one dollar and one thousand dollars");
      expect(words("$5.50 or £2 or €3")).to.equal("five dollars fifty cents or two pounds or three euros");
      expect(words("a & b")).to.equal("a and b");
    });

    it("gives digits and words the same reading, so either writing scores alike", () => {
      expect(words("On May 21st, 25 people paid $3.")).to.deep.equal(
        words("on may twenty-first twenty five people paid three dollars"),
      );
    });

    it("has no words for text without letters or digits", () => {
      expect(normalizeForScoring(" ... -- !? ")).to.deep.equal([]);
    });
  });

  describe("wordErrorRate", () => {
    it("is 0 for the same words, whatever the case, punctuation and number writing", () => {
      expect(wordErrorRate("The 3 cats didn't sleep.", "the three cats didnt sleep")).to.equal(0);
    });

    it("counts substitutions, deletions and insertions against the reference's word count", () => {
      const reference = "the quick brown fox jumps";
      expect(wordErrorRate(reference, "the quick brown box jumps")).to.equal(1 / 5);
      expect(wordErrorRate(reference, "the brown fox jumps")).to.equal(1 / 5);
      expect(wordErrorRate(reference, "the quick brown fox jumps high")).to.equal(1 / 5);
      expect(wordErrorRate(reference, "quick brown fox jumps over it")).to.equal(3 / 5);
    });

    it("is 1 for an empty transcript of a non-empty text, and can exceed 1 with many inserted words", () => {
      expect(wordErrorRate("hello there", "")).to.equal(1);
      expect(wordErrorRate("hello there", "   ")).to.equal(1);
      expect(wordErrorRate("hi", "oh hi there you")).to.equal(3);
    });

    it("is 0 for two texts without words, and 1 when only the transcript has words", () => {
      expect(wordErrorRate("...", "")).to.equal(0);
      expect(wordErrorRate("...", "noise")).to.equal(1);
    });
  });
});
