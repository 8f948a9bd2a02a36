/**
 * Sound-word removal and replacement (`sound_words_field`, spec §7): the Gradio app's way to drop or respell
 * words an engine reads badly ("um", "*sigh*", "--") before the text is segmented.
 *
 * Rules: one entry per line, and commas also separate entries. `pattern=>replacement` replaces, a bare
 * `pattern` (or `pattern=>` with nothing after it) removes. Surrounding spaces are ignored; wrap a pattern
 * or replacement in double quotes to keep spaces or commas in it (`"uh, well"=>"well"`).
 *
 * Matching is case-insensitive and whole-word: a pattern that starts or ends with a letter, digit or `_`
 * must not touch another one there, nor sit inside a contraction (`um` never matches in `umbrella`, `t`
 * never in `don't`). Apostrophes in a pattern match ' and ’, spaces match any run of spaces. A possessive
 * counts as the word: `Bob=>Robert` turns `Bob's` into `Robert's`, removing `Bob` removes `Bob's` too. A
 * removed word standing in quotes, brackets or asterisks (`"um"`, `‘um’`, `(laughs)`, `*sigh*`) goes with
 * them; a replaced one keeps them. A pattern made only of dashes
 * (`--`, `—`) matches that exact run of dashes wherever it is not part of a longer one. After removals, the
 * spaces and commas around each removed word are tidied (`Well, um, fine` → `Well, fine`); nothing else in
 * the text is touched, and text where nothing matched comes back as it was.
 */
import { ValidationError } from "../domain/errors.js";

/** One parsed rule; `replacement` is "" for a removal. `line` is 1-based. */
export interface SoundWordRule {
  pattern: string;
  replacement: string;
  line: number;
}

/** How often one rule applied; `replacement` is "" for a removal. */
export interface SoundWordReplacement {
  pattern: string;
  replacement: string;
  count: number;
}

export interface SoundWordsResult {
  text: string;
  /** Rules that matched at least once, in rule order. */
  replacements: SoundWordReplacement[];
}

/** A rule in `sound_words_field` cannot be used; a 422 naming the line. */
export class SoundWordRuleError extends ValidationError {
  /** `line N: <problem>`, as a field issue. */
  readonly issue: string;

  constructor(
    readonly line: number,
    problem: string,
  ) {
    const msg = `line ${line}: ${problem}`;
    super(`sound_words_field ${msg}`, [{ loc: ["body", "sound_words_field"], msg, type: "value_error" }]);
    this.issue = msg;
  }
}

/**
 * Parses `sound_words_field` into rules; blank lines and empty entries are skipped.
 * @throws SoundWordRuleError for an empty pattern, `=>` with nothing before it, more than one `=>` in an
 *   entry, or an unclosed double quote.
 */
export function parseSoundWordRules(field: string): SoundWordRule[] {
  const rules: SoundWordRule[] = [];
  field.split(/\r\n|\r|\n/).forEach((text, index) => {
    const line = index + 1;
    for (const entry of splitEntries(text, line)) {
      if (entry.length === 1 && entry[0]!.trim() === "") continue; // an empty entry: "a,,b" or a trailing comma
      rules.push(toRule(entry, line));
    }
  });
  return rules;
}

/** Parses the rules and applies them in order. @throws SoundWordRuleError as {@link parseSoundWordRules}. */
export function applySoundWords(text: string, field: string): SoundWordsResult {
  return applySoundWordRules(text, parseSoundWordRules(field));
}

/** Applies parsed rules in order, each to the result of the previous one. */
export function applySoundWordRules(text: string, rules: readonly SoundWordRule[]): SoundWordsResult {
  const removed = sentinelFor(text);
  let out = text;
  const replacements: SoundWordReplacement[] = [];
  for (const rule of rules) {
    let count = 0;
    out = out.replace(ruleRegExp(rule), () => {
      count++;
      return rule.replacement === "" ? removed : rule.replacement;
    });
    if (count > 0) replacements.push({ pattern: rule.pattern, replacement: rule.replacement, count });
  }
  if (replacements.length === 0) return { text, replacements };
  return { text: tidyRemovals(out, removed), replacements };
}

/** Splits one line at commas and each entry at `=>`, both only outside double quotes. */
function splitEntries(text: string, line: number): string[][] {
  const entries: string[][] = [];
  let parts: string[] = [];
  let current = "";
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const char = text[i]!;
    if (char === '"') quoted = !quoted;
    if (!quoted && char === ",") {
      entries.push([...parts, current]);
      parts = [];
      current = "";
    } else if (!quoted && text.startsWith("=>", i)) {
      parts.push(current);
      current = "";
      i++;
    } else {
      current += char;
    }
  }
  if (quoted) throw new SoundWordRuleError(line, "a double quote is not closed");
  entries.push([...parts, current]);
  return entries;
}

function toRule(parts: string[], line: number): SoundWordRule {
  const shown = parts.join("=>").trim();
  if (parts.length > 2) throw new SoundWordRuleError(line, `more than one "=>" in "${shown}"`);
  const pattern = unquote(parts[0]!);
  if (pattern === "") {
    const problem = parts.length === 2 ? `"=>" has no pattern before it in "${shown}"` : "the pattern is empty";
    throw new SoundWordRuleError(line, problem);
  }
  return { pattern, replacement: parts.length === 2 ? unquote(parts[1]!) : "", line };
}

/** Trims, then drops one pair of enclosing double quotes (whose inside is kept as written). */
function unquote(part: string): string {
  const trimmed = part.trim();
  return trimmed.length >= 2 && trimmed.startsWith('"') && trimmed.endsWith('"') ? trimmed.slice(1, -1) : trimmed;
}

const WORD = String.raw`[\p{L}\p{M}\p{N}_]`;
const APOSTROPHE = "['’]";
const DASHES = "-‐‑‒–—―";
/** Opening and closing marks that may enclose a removed word and go with it: quotes, brackets, asterisks. */
const ENCLOSURES: ReadonlyArray<readonly [string, string]> = [
  [`["“‘'«]`, `["”’'»]`],
  [String.raw`\(`, String.raw`\)`],
  [String.raw`\[`, String.raw`\]`],
  [String.raw`\*`, String.raw`\*`],
];
const POSSESSIVE = `${APOSTROPHE}s(?!${WORD})`;

function ruleRegExp(rule: SoundWordRule): RegExp {
  const { pattern } = rule;
  const body = patternSource(pattern);
  if (new RegExp(`^[${DASHES}]+$`, "u").test(pattern)) {
    return new RegExp(`(?<![${DASHES}])${body}(?![${DASHES}])`, "gu");
  }
  const wordStart = new RegExp(`^${WORD}`, "u").test(pattern);
  const wordEnd = new RegExp(`${WORD}$`, "u").test(pattern);
  // Not glued to a word, nor inside a contraction ("t" in "don't", "don" in "don't").
  const before = wordStart ? `(?<!${WORD})(?<!${WORD}${APOSTROPHE})` : "";
  const after = wordEnd ? `(?:(?=${POSSESSIVE})|(?!${WORD})(?!${APOSTROPHE}${WORD}))` : "";
  const word = `${before}${body}${after}`;
  if (rule.replacement !== "") return new RegExp(word, "giu");
  // A removal takes the possessive ending and enclosing quotes with the word.
  const enclosed = ENCLOSURES.map(([open, close]) => `${open}${body}${close}`).join("|");
  const quoted = `(?<!${WORD})(?:${enclosed})(?!${WORD})`;
  const possessive = wordEnd ? `(?:${POSSESSIVE})?` : "";
  return new RegExp(`${quoted}|${word}${possessive}`, "giu");
}

/** The pattern as a regex: literal, except that apostrophes match ' and ’ and spaces match any run of them. */
function patternSource(pattern: string): string {
  return pattern
    .split(/(\s+|['’])/u)
    .filter((piece) => piece !== "")
    .map((piece) => {
      if (/^\s+$/u.test(piece)) return String.raw`\s+`;
      if (/^['’]$/u.test(piece)) return APOSTROPHE;
      return piece.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
    })
    .join("");
}

/** A private-use character absent from `text`, marking where words were removed until the tidy-up. */
function sentinelFor(text: string): string {
  let code = 0xe000;
  while (text.includes(String.fromCharCode(code))) code++;
  return String.fromCharCode(code);
}

/**
 * Tidies each removal site: removals next to each other count as one, and the site with its surrounding
 * spaces and commas becomes nothing at the start or end of a line or clause, one space after a sentence or
 * clause mark, ", " where a comma stood next to it, else one space.
 */
function tidyRemovals(text: string, mark: string): string {
  const merged = text.replace(new RegExp(`${mark}(?:[ \\t,]*${mark})+`, "g"), mark);
  const site = new RegExp(`([ \\t]*,)?[ \\t]*${mark}[ \\t]*(,[ \\t]*)?`, "g");
  return merged.replace(site, (match: string, leftComma?: string, rightComma?: string, offset = 0) => {
    const before = merged[offset - 1] ?? "";
    const after = merged[offset + match.length] ?? "";
    if (before === "" || before === "\n" || /[([{"“‘«]/u.test(before)) return "";
    if (after === "" || after === "\n" || /[.,;:!?…)\]}"”’»]/u.test(after)) return "";
    if (/[.!?…:;]/u.test(before)) return " ";
    return leftComma !== undefined || rightComma !== undefined ? ", " : " ";
  });
}
