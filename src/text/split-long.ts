/**
 * Cuts text longer than a limit into pieces that fit, preferring the cut a listener notices least: after a
 * clause mark, then between words, and only for a single enormous token in the middle of it.
 */

type Splitter = (text: string) => string[];

/** Cut points after `; : ,` followed by a space (so "1,000" stays whole) and after em/en dashes. */
const splitClauses: Splitter = (text) => text.split(/(?<=[;:,\u061B\u060C\u3001\uFF0C\uFF1B\uFF1A])(?=\s)|(?<=[—–])/u);

/** Each piece is one word plus the whitespace after it. */
const splitWords: Splitter = (text) => text.split(/(?<=\s)(?=\S)/u);

const graphemes = new Intl.Segmenter("en", { granularity: "grapheme" });

/** User-perceived characters, so an emoji or accented letter is never cut in half. */
const splitGraphemes: Splitter = (text) => Array.from(graphemes.segment(text), (g) => g.segment);

/** Last resort for a limit smaller than one grapheme: UTF-16 code units. */
const splitUnits: Splitter = (text) => text.split("");

const LEVELS: readonly Splitter[] = [splitClauses, splitWords, splitGraphemes, splitUnits];

/**
 * Splits `text` into trimmed, non-empty pieces of at most `maxChars` UTF-16 units. Text that already fits is
 * returned as one trimmed piece. Joining the pieces with spaces restores every non-whitespace character.
 * @throws RangeError when `maxChars` is not a positive integer.
 */
export function splitLongText(text: string, maxChars: number): string[] {
  if (!Number.isInteger(maxChars) || maxChars < 1) {
    throw new RangeError(`maxChars must be a positive integer, got ${maxChars}`);
  }
  return splitAtLevel(text, maxChars, 0);
}

function splitAtLevel(text: string, maxChars: number, level: number): string[] {
  const trimmed = text.trim();
  if (trimmed === "") return [];
  const splitter = LEVELS[level];
  if (trimmed.length <= maxChars || splitter === undefined) return [trimmed];
  return pack(splitter(trimmed), maxChars, (piece) => splitAtLevel(piece, maxChars, level + 1));
}

/** Greedily joins consecutive pieces while the trimmed result fits; pieces too long alone go to `refine`. */
function pack(pieces: readonly string[], maxChars: number, refine: Splitter): string[] {
  const out: string[] = [];
  let current = "";
  const flush = (): void => {
    const t = current.trim();
    if (t !== "") out.push(t);
    current = "";
  };
  for (const piece of pieces) {
    if ((current + piece).trim().length <= maxChars) {
      current += piece;
      continue;
    }
    flush();
    if (piece.trim().length > maxChars) out.push(...refine(piece));
    else current = piece;
  }
  flush();
  return out;
}
