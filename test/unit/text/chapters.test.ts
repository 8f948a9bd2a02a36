import { expect } from "chai";
import { hasChapterMarkers, splitChapters } from "../../../src/text/chapters.js";

describe("text/chapters", () => {
  describe("splitChapters", () => {
    it("starts a chapter at each marker line and leaves the marker out of the spoken text", () => {
      const text = "# The Beginning\nIt was a dark night.\nThe end came.\n\n## Part Two\nMorning.\n";
      expect(splitChapters(text)).to.deep.equal([
        { title: "The Beginning", text: "It was a dark night.\nThe end came." },
        { title: "Part Two", text: "Morning." },
      ]);
    });

    it("titles the text before the first marker 'Opening'", () => {
      expect(splitChapters("Foreword words.\n\n# One\nFirst.")).to.deep.equal([
        { title: "Opening", text: "Foreword words." },
        { title: "One", text: "First." },
      ]);
    });

    it("gives no Opening chapter when only blank lines come before the first marker", () => {
      expect(splitChapters("\n  \n# One\nFirst.").map((c) => c.title)).to.deep.equal(["One"]);
    });

    it("makes a text without markers one chapter titled 'Chapter 1'", () => {
      expect(splitChapters("  Just a story.\nTwo lines.  ")).to.deep.equal([
        { title: "Chapter 1", text: "Just a story.\nTwo lines." },
      ]);
    });

    it("drops chapters whose text is blank, and gives no chapters for blank text", () => {
      expect(splitChapters("# Empty\n\n# Full\nWords.\n# Also empty\n   \n")).to.deep.equal([
        { title: "Full", text: "Words." },
      ]);
      expect(splitChapters(" \n\t\n")).to.deep.equal([]);
      expect(splitChapters("")).to.deep.equal([]);
    });

    it("accepts one to three #, indentation, any whitespace after the # and Windows line breaks", () => {
      const text = "  # One\r\nA.\r\n\t##\tTwo  \r\nB.\r\n### Three\r\nC.";
      expect(splitChapters(text)).to.deep.equal([
        { title: "One", text: "A." },
        { title: "Two", text: "B." },
        { title: "Three", text: "C." },
      ]);
    });

    it("keeps lines that only look like markers as spoken text", () => {
      const text = "#### Four\n#hashtag\n#\n#   \nA # in the middle";
      expect(splitChapters(text)).to.deep.equal([{ title: "Chapter 1", text }]);
    });

    it("keeps # characters inside a title", () => {
      expect(splitChapters("# Op. 2 # 3\nMusic.")).to.deep.equal([{ title: "Op. 2 # 3", text: "Music." }]);
    });
  });

  describe("hasChapterMarkers", () => {
    it("is true only for text with a marker line", () => {
      expect(hasChapterMarkers("Intro\n  ## Chapter\nText")).to.be.true;
      expect(hasChapterMarkers("# Only a marker")).to.be.true;
      expect(hasChapterMarkers("#### Four\n#hashtag\n# \nplain")).to.be.false;
      expect(hasChapterMarkers("")).to.be.false;
    });
  });
});
