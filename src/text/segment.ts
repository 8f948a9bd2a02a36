/**
 * Turns text into the segments the engine speaks one at a time (spec §4.8), without ever dropping text: the
 * Python server silently skipped sentences of ≤3 characters and chunks over 500; here short sentences are
 * merged and long ones are split, so every non-whitespace character of the input is spoken exactly once.
 */
import { mergeShortSentences, splitSentences } from "./sentences.js";
import { splitLongText } from "./split-long.js";

/** Options of {@link segmentText}; the API's snake_case flags in camelCase. */
export interface SegmentOptions {
  /** Longest segment in UTF-16 units (default 300). */
  maxChars?: number;
  /** Greedy grouping: pack sentences into segments up to `maxChars` (API `enable_batching`, default false). */
  enableBatching?: boolean;
  /** Group short sentences until a segment reaches `minSmartChars` (API default true). */
  smartBatchShortSentences?: boolean;
  /** Target length of smart groups (default 100). */
  minSmartChars?: number;
  /** BCP 47 tag for sentence rules (default "en"). */
  language?: string;
  /** Lower-cases the segments (API `to_lowercase`, default false here). Done after sentence detection, which needs capitals. */
  toLowercase?: boolean;
}

export const DEFAULT_MAX_SEGMENT_CHARS = 300;
export const DEFAULT_MIN_SMART_CHARS = 100;

/**
 * Splits text into non-blank segments of at most `maxChars` characters, sentence-aware.
 * Grouping: `enableBatching` packs greedily; else `smartBatchShortSentences` gathers short sentences until a
 * group reaches `minSmartChars`; else one sentence per segment. Sentences longer than `maxChars` are cut at
 * clause marks, then words. Sentences inside a segment are joined with one space.
 * @throws RangeError for a non-positive `maxChars` or an invalid `language` tag.
 */
export function segmentText(text: string, options: SegmentOptions = {}): string[] {
  const maxChars = options.maxChars ?? DEFAULT_MAX_SEGMENT_CHARS;
  const language = options.language ?? "en";
  const sentences = mergeShortSentences(splitSentences(text, language), language);
  const units = sentences.flatMap((sentence) => splitLongText(sentence, maxChars));
  let groups: string[][];
  if (options.enableBatching ?? false) {
    groups = groupGreedy(units, maxChars);
  } else if (options.smartBatchShortSentences ?? true) {
    groups = groupShort(units, { minChars: options.minSmartChars ?? DEFAULT_MIN_SMART_CHARS, maxChars });
  } else {
    groups = units.map((unit) => [unit]);
  }
  const segments = groups.map((group) => group.join(" "));
  return options.toLowercase ? segments.map((segment) => segment.toLowerCase()) : segments;
}

/** Length of `group` joined with single spaces. */
function joinedLength(group: readonly string[]): number {
  return group.reduce((sum, s) => sum + s.length, 0) + Math.max(0, group.length - 1);
}

/** Packs consecutive units into groups while the joined length stays within `maxChars`. */
export function groupGreedy(units: readonly string[], maxChars: number): string[][] {
  const groups: string[][] = [];
  let current: string[] = [];
  for (const unit of units) {
    if (current.length > 0 && joinedLength(current) + 1 + unit.length > maxChars) {
      groups.push(current);
      current = [];
    }
    current.push(unit);
  }
  if (current.length > 0) groups.push(current);
  return groups;
}

/** Limits of {@link groupShort}. */
export interface GroupShortOptions {
  minChars: number;
  maxChars: number;
}

/**
 * The Python server's "smart append": a unit of at least `minChars` stands alone (closing any pending
 * group); shorter units gather until their group reaches `minChars`. Unlike the original, a group is also
 * closed before it would exceed `maxChars`. Lengths [9, 20, 121, 28, 13] group as [[9, 20], [121], [28, 13]].
 */
export function groupShort(units: readonly string[], limits: GroupShortOptions): string[][] {
  const groups: string[][] = [];
  let pending: string[] = [];
  const flush = (): void => {
    if (pending.length > 0) groups.push(pending);
    pending = [];
  };
  for (const unit of units) {
    if (unit.length >= limits.minChars) {
      flush();
      groups.push([unit]);
      continue;
    }
    if (pending.length > 0 && joinedLength(pending) + 1 + unit.length > limits.maxChars) flush();
    pending.push(unit);
    if (joinedLength(pending) >= limits.minChars) flush();
  }
  flush();
  return groups;
}
