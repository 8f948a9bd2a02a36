import { expect } from "chai";
import { ValidationError } from "../../../src/domain/errors.js";
import { applySoundWords, parseSoundWordRules, SoundWordRuleError } from "../../../src/text/sound-words.js";

const text = (input: string, rules: string): string => applySoundWords(input, rules).text;

describe("text/sound-words", () => {
  describe("parseSoundWordRules", () => {
    it("reads one entry per line and comma-separated entries, replacements and removals", () => {
      expect(parseSoundWordRules("um\nuh, er=>well\n\n  sigh => breath  ,")).to.deep.equal([
        { pattern: "um", replacement: "", line: 1 },
        { pattern: "uh", replacement: "", line: 2 },
        { pattern: "er", replacement: "well", line: 2 },
        { pattern: "sigh", replacement: "breath", line: 4 },
      ]);
    });

    it("treats `pattern=>` as a removal and accepts Windows line ends", () => {
      expect(parseSoundWordRules("hmm=>\r\nah")).to.deep.equal([
        { pattern: "hmm", replacement: "", line: 1 },
        { pattern: "ah", replacement: "", line: 2 },
      ]);
    });

    it("keeps commas, spaces and => inside double quotes", () => {
      expect(parseSoundWordRules('"uh, well"=>" well ", "a=>b"')).to.deep.equal([
        { pattern: "uh, well", replacement: " well ", line: 1 },
        { pattern: "a=>b", replacement: "", line: 1 },
      ]);
    });

    it("has no rules for an empty field", () => {
      expect(parseSoundWordRules("")).to.deep.equal([]);
      expect(parseSoundWordRules(" \n , \n")).to.deep.equal([]);
    });

    it("rejects invalid entries with a 422-class error naming the line", () => {
      const cases: Array<[string, number, RegExp]> = [
        ["um\n=>hello", 2, /line 2: "=>" has no pattern before it in "=>hello"/],
        ["um\nuh\n  => ", 3, /line 3: "=>" has no pattern/],
        ['""', 1, /line 1: the pattern is empty/],
        ["a=>b=>c", 1, /line 1: more than one "=>" in "a=>b=>c"/],
        ['ok\n"um=>x', 2, /line 2: a double quote is not closed/],
      ];
      for (const [field, line, message] of cases) {
        const error = (() => {
          try {
            parseSoundWordRules(field);
          } catch (e) {
            return e;
          }
          return undefined;
        })();
        expect(error, field).to.be.instanceOf(SoundWordRuleError).and.instanceOf(ValidationError);
        const ruleError = error as SoundWordRuleError;
        expect(ruleError.line).to.equal(line);
        expect(ruleError.code).to.equal("VALIDATION_ERROR");
        expect(ruleError.message).to.match(message);
        expect(ruleError.detail).to.deep.equal([
          {
            loc: ["body", "sound_words_field"],
            msg: ruleError.message.replace("sound_words_field ", ""),
            type: "value_error",
          },
        ]);
      }
    });
  });

  describe("applySoundWords", () => {
    it("replaces whole words case-insensitively and reports each rule's count", () => {
      const result = applySoundWords("Gonna go. GONNA stay. gonna.", "gonna=>going to");
      expect(result.text).to.equal("going to go. going to stay. going to.");
      expect(result.replacements).to.deep.equal([{ pattern: "gonna", replacement: "going to", count: 3 }]);
    });

    it("changes nothing outside whole words", () => {
      const input = "Umbrella, hum, umami and the um-pire; don't, Tom's, t-shirt, mum.";
      expect(text(input, "um, t")).to.equal("Umbrella, hum, umami and the -pire; don't, Tom's, -shirt, mum.");
      expect(text("a cat concatenates catalogs", "cat=>dog")).to.equal("a dog concatenates catalogs");
    });

    it("returns text with no matches unchanged, untidy spacing included", () => {
      const input = "Hello ,  world ,, and  bye .";
      const result = applySoundWords(input, "um\nuh=>well");
      expect(result.text).to.equal(input);
      expect(result.replacements).to.deep.equal([]);
    });

    it("cleans commas and spaces around removed words", () => {
      const rules = "um, uh";
      expect(text("Well, um, I think so.", rules)).to.equal("Well, I think so.");
      expect(text("Um, I think so.", rules)).to.equal("I think so.");
      expect(text("I think so, um.", rules)).to.equal("I think so.");
      expect(text("I um think uh so", rules)).to.equal("I think so");
      expect(text("I think, um, uh, so", rules)).to.equal("I think, so");
      expect(text("Fine. Um, let's go!", rules)).to.equal("Fine. let's go!");
      expect(text("Note: um, yes", rules)).to.equal("Note: yes");
      expect(text("um", rules)).to.equal("");
      expect(text("first line um\num second line", rules)).to.equal("first line\nsecond line");
    });

    it("handles possessives: a replacement keeps the ending, a removal takes it", () => {
      expect(text("Bob's hat and bob’s coat; ask Bob.", "Bob=>Robert")).to.equal(
        "Robert's hat and Robert’s coat; ask Robert.",
      );
      expect(text("I saw Bob's hat.", "Bob")).to.equal("I saw hat.");
      expect(text("Bobs and Bobby stay.", "Bob")).to.equal("Bobs and Bobby stay.");
    });

    it("matches apostrophes in a pattern as straight or curly", () => {
      expect(text("I don't know. I don’t care.", "don't=>do not")).to.equal("I do not know. I do not care.");
    });

    it("removes a word together with the quotes, brackets or asterisks around it", () => {
      const rules = "sigh, laughs";
      expect(text('He said "sigh" and left.', rules)).to.equal("He said and left.");
      expect(text("He said ‘sigh’ and left.", rules)).to.equal("He said and left.");
      expect(text("Okay (laughs) fine. *sigh* Yes [laughs].", rules)).to.equal("Okay fine. Yes.");
      // A replacement keeps the quotes.
      expect(text('He said "sigh".', "sigh=>hm")).to.equal('He said "hm".');
    });

    it("matches dash-only patterns exactly, never inside longer dash runs", () => {
      expect(text("wait--what? well---no. a-b", "--")).to.equal("wait what? well---no. a-b");
      expect(text("wait — what", "—=>,")).to.equal("wait what"); // the comma ends the entry: a removal
      expect(text("wait — what", '—=>","')).to.equal("wait , what");
      expect(text("well-known and well - known", "-")).to.equal("well known and well known");
    });

    it("matches multi-word patterns across any spacing and patterns with symbols literally", () => {
      expect(text("You know,  you   know, it works.", "you know")).to.equal("it works.");
      expect(text("Price: $5.00 (approx.)", "$5.00=>five dollars")).to.equal("Price: five dollars (approx.)");
      expect(text("a.b and axb", "a.b")).to.equal("and axb");
    });

    it("applies rules in order, each to the previous result", () => {
      const result = applySoundWords("uh huh, uh", "uh huh=>yes\nuh");
      expect(result.text).to.equal("yes");
      expect(result.replacements).to.deep.equal([
        { pattern: "uh huh", replacement: "yes", count: 1 },
        { pattern: "uh", replacement: "", count: 1 },
      ]);
    });

    it("handles non-ASCII words", () => {
      expect(text("Ähm, das ist schön. Ähmchen bleibt.", "ähm")).to.equal("das ist schön. Ähmchen bleibt.");
    });

    it("throws the rule error before touching the text", () => {
      expect(() => applySoundWords("um", "um\n=>x")).to.throw(SoundWordRuleError, /line 2/);
    });
  });
});
