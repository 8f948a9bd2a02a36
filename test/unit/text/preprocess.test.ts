import { expect } from "chai";
import {
  fixDotLetters,
  normalizeSpacing,
  preprocessText,
  removeReferenceNumbers,
} from "../../../src/text/preprocess.js";

const ALL_OFF = { normalizeSpacing: false, fixDotLetters: false, removeReferenceNumbers: false };

describe("text/preprocess", () => {
  describe("preprocessText", () => {
    it("runs every step by default, in order", () => {
      expect(preprocessText("  The  U.S.A. is big [12].  See (3) and e.g. THIS.  ")).to.equal(
        "The U S A is big. See and e g THIS.",
      );
    });

    it("leaves text untouched when every flag is off", () => {
      const text = "  The  U.S.A. [1] ";
      expect(preprocessText(text, ALL_OFF)).to.equal(text);
    });

    it("runs only the enabled step", () => {
      expect(preprocessText("A.B.  [1]", { ...ALL_OFF, normalizeSpacing: true })).to.equal("A.B. [1]");
      expect(preprocessText("A.B. [1] x", { ...ALL_OFF, fixDotLetters: true })).to.equal("A B [1] x");
      expect(preprocessText("A.B. [1] x", { ...ALL_OFF, removeReferenceNumbers: true })).to.equal("A.B. x");
    });
  });

  describe("normalizeSpacing", () => {
    it("trims and collapses runs of whitespace", () => {
      expect(normalizeSpacing("  a \t b\n\n\nc  ")).to.equal("a b c");
    });

    it("keeps single spaces and a single line break", () => {
      expect(normalizeSpacing("one two\nthree")).to.equal("one two\nthree");
    });
  });

  describe("fixDotLetters", () => {
    it("spells out dotted letter sequences", () => {
      expect(fixDotLetters("U.S.A. is big.")).to.equal("U S A is big.");
      expect(fixDotLetters("e.g. this")).to.equal("e g this");
      expect(fixDotLetters("i.e., that")).to.equal("i e, that");
      expect(fixDotLetters("the U.S economy")).to.equal("the U S economy");
    });

    it("keeps the period after a single-letter word (the Python server removed it)", () => {
      expect(fixDotLetters("plan b. then")).to.equal("plan b. then");
      expect(fixDotLetters("I said a. B. said c.")).to.equal("I said a. B. said c.");
    });

    it("keeps the final period when the abbreviation ends the text", () => {
      expect(fixDotLetters("I live in the U.S.A.")).to.equal("I live in the U S A.");
    });

    it("does not touch dots inside words, numbers or file names", () => {
      for (const text of ["node.js and file.txt", "version 3.5.1", "x.com", "www.example.org", "J.R.R.Tolkien"]) {
        expect(fixDotLetters(text)).to.equal(text);
      }
    });
  });

  describe("removeReferenceNumbers", () => {
    it("removes citations without leaving double spaces", () => {
      expect(removeReferenceNumbers("see [12] and (3)")).to.equal("see and");
      expect(removeReferenceNumbers("many studies [1][2] [3] agree")).to.equal("many studies agree");
    });

    it("leaves no space before punctuation", () => {
      expect(removeReferenceNumbers("as shown [3].")).to.equal("as shown.");
      expect(removeReferenceNumbers("first (1), second [2]; done")).to.equal("first, second; done");
    });

    it("handles citations at the start of the text and glued to words", () => {
      expect(removeReferenceNumbers("[1] Intro text")).to.equal("Intro text");
      expect(removeReferenceNumbers("word[4] next")).to.equal("word next");
    });

    it("removes list and range citations", () => {
      expect(removeReferenceNumbers("known [1, 2] and [3-5] facts")).to.equal("known and facts");
    });

    it("keeps brackets that are not bare numbers", () => {
      expect(removeReferenceNumbers("as [x1] (2020s) see [note] and (a)")).to.equal(
        "as [x1] (2020s) see [note] and (a)",
      );
    });

    it("removes any bare number in parentheses, as the Python server did", () => {
      expect(removeReferenceNumbers("call (555) 123")).to.equal("call 123");
    });

    it("returns text without citations unchanged, spacing included", () => {
      expect(removeReferenceNumbers("  two  spaces  ")).to.equal("  two  spaces  ");
    });
  });
});
