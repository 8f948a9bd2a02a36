/**
 * Text clean-up before synthesis (spec §4.8), in the Python server's order: spacing, dotted letters,
 * reference numbers. Each step runs only when its flag is on; every flag defaults to on. Lower-casing, the
 * Python server's first step, is done by segmentText after sentence detection, which needs the capitals.
 */

/** Which clean-up steps run; the API's snake_case flags in camelCase. All default to true. */
export interface PreprocessOptions {
  normalizeSpacing?: boolean;
  fixDotLetters?: boolean;
  removeReferenceNumbers?: boolean;
}

/** Runs the enabled steps in order and returns the text to speak. */
export function preprocessText(text: string, options: PreprocessOptions = {}): string {
  let out = text;
  if (options.normalizeSpacing ?? true) out = normalizeSpacing(out);
  if (options.fixDotLetters ?? true) out = fixDotLetters(out);
  if (options.removeReferenceNumbers ?? true) out = removeReferenceNumbers(out);
  return out;
}

/**
 * Trims the ends and turns every run of two or more whitespace characters into one space. A lone newline is
 * kept as the Python server kept it, because it still marks a sentence break for the segmenter.
 */
export function normalizeSpacing(text: string): string {
  return text.trim().replace(/\s{2,}/g, " ");
}

/**
 * Two or more single letters joined by dots. Letters are ASCII as in the Python server; the look-arounds stop
 * matches inside words and names ("node.js", "J.R.R.Tolkien").
 */
const DOTTED_LETTERS = /(?<![\p{L}\p{N}_])[A-Za-z](?:\.[A-Za-z])+\.?(?![\p{L}\p{N}_]|\.[\p{L}\p{N}])/gu;

/**
 * Letters separated by dots (at least two letters: `U.S.A.`, `e.g.`, `U.S`) become letters separated by spaces
 * so the voice spells them out. A single letter followed by a period (`plan b. then`) is left alone: that
 * period usually ends a sentence, and the Python server's pattern wrongly removed it. A dot that ends the
 * whole text is kept so the last sentence still ends with punctuation.
 */
export function fixDotLetters(text: string): string {
  return text.replace(DOTTED_LETTERS, (match, offset: number) => {
    const spelled = match
      .split(".")
      .filter((part) => part !== "")
      .join(" ");
    const endsText = offset + match.length === text.length;
    return endsText && match.endsWith(".") ? `${spelled}.` : spelled;
  });
}

/** One bracketed citation: `[12]`, `[1, 2]`, `[3-5]` or `(3)`. */
const CITATION = String.raw`(?:\[\d+(?:\s*[,–-]\s*\d+)*\]|\(\d+\))`;
/** A run of citations with the horizontal space before and after it. */
const CITATION_RUN = new RegExp(String.raw`([ \t]*)${CITATION}(?:[ \t]*${CITATION})*([ \t]*)`, "g");

/**
 * Removes citation markers like `[12]` and `(3)` without leaving double spaces or a space before
 * punctuation: `see [12] and (3).` → `see and.`
 */
export function removeReferenceNumbers(text: string): string {
  const out = text.replace(CITATION_RUN, (match, before: string, after: string, offset: number) => {
    const prev = offset === 0 ? "\n" : text[offset - 1]!;
    const next = text[offset + match.length] ?? "\n";
    // At a line start, before a line end or before punctuation no space is wanted at all.
    if (prev === "\n" || next === "\n" || /[.,;:!?)\]}"'”’…]/u.test(next)) return "";
    return before !== "" || after !== "" ? " " : "";
  });
  return out === text ? out : out.trim();
}
