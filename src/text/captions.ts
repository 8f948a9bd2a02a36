/**
 * Captions for long-form audio. Each spoken span (a piece of text and where it sits in the audio) becomes one or
 * more cues small enough to read on screen, rendered as SubRip (SRT) or WebVTT. Cue times come from the span
 * times, and from the start of each word when speech recognition heard the span's words, so the captions follow
 * the audio without an alignment pass of their own.
 */

/** One spoken segment and where it sits in the audio. */
export interface CaptionSpan {
  text: string;
  startSeconds: number;
  endSeconds: number;
  /**
   * Where each word of `text` starts (seconds in the audio), when known; used only when there is one per word
   * (whitespace-separated), since a different count means the words heard are not the words written.
   */
  wordStarts?: readonly number[] | undefined;
}

/** One caption: its lines, shown from `startSeconds` to `endSeconds`. */
export interface Cue {
  startSeconds: number;
  endSeconds: number;
  lines: string[];
}

/** How much text a cue may show at once. */
export interface CueLimits {
  /** Characters (code points) per line; 42 is the usual subtitle guideline for Latin scripts. */
  lineChars: number;
  /** Lines per cue; more than two covers too much of a video and is read too slowly. */
  linesPerCue: number;
}

export const CAPTION_FORMATS = ["srt", "vtt"] as const;

export type CaptionFormat = (typeof CAPTION_FORMATS)[number];

/**
 * Turns spans into cues. A span's text (whitespace collapsed) is wrapped at word boundaries into lines of at most
 * `lineChars` (a longer word gets a line of its own) and grouped `linesPerCue` lines per cue. When a span needs
 * several cues, its time is divided between them in proportion to their characters, which roughly follows the
 * pace of speech. Blank spans give no cue.
 *
 * Cues come out in time order and never overlap: spans are taken by start time, and a span that starts before
 * the previous one ended is moved to start when it ends (shrinking to nothing if it lies wholly inside it).
 * @throws RangeError for a span time that is negative or not finite, a span that ends before it starts, or limits
 *   that are not positive integers.
 */
export function captionCues(
  spans: readonly CaptionSpan[],
  limits: CueLimits = { lineChars: 42, linesPerCue: 2 },
): Cue[] {
  assertLimits(limits);
  const cues: Cue[] = [];
  for (const span of byStartTime(spans)) {
    const previousEnd = cues.at(-1)?.endSeconds ?? 0;
    cues.push(...spanCues(span, previousEnd, limits));
  }
  return cues;
}

/** The captions file of `format` for `cues`. */
export function renderCaptions(format: CaptionFormat, cues: readonly Cue[]): string {
  switch (format) {
    case "srt":
      return toSrt(cues);
    case "vtt":
      return toVtt(cues);
  }
}

/**
 * A SubRip file: cues numbered from 1, `HH:MM:SS,mmm --> HH:MM:SS,mmm`, a blank line between cues and a newline
 * at the end. Times are rounded to milliseconds, never to an end before the start.
 * @throws RangeError for a cue time that is negative or not finite.
 */
export function toSrt(cues: readonly Cue[]): string {
  return cues.map((cue, index) => `${index + 1}\n${timingLine(cue, ",")}\n${cue.lines.join("\n")}\n`).join("\n");
}

/**
 * A WebVTT file: the `WEBVTT` header, then each cue as `HH:MM:SS.mmm --> HH:MM:SS.mmm` and its lines, a blank line
 * between blocks. Cue text is markup in WebVTT, so `&`, `<` and `>` are written as character references (a plain
 * `<` would open a tag, and `-->` would read as a timing arrow).
 * @throws RangeError for a cue time that is negative or not finite.
 */
export function toVtt(cues: readonly Cue[]): string {
  const blocks = cues.map((cue) => `${timingLine(cue, ".")}\n${cue.lines.map(escapeVttText).join("\n")}\n`);
  return ["WEBVTT\n", ...blocks].join("\n");
}

function assertLimits(limits: CueLimits): void {
  for (const [name, value] of Object.entries(limits)) {
    if (!Number.isInteger(value) || value < 1) throw new RangeError(`${name} must be a positive integer, got ${value}`);
  }
}

/** Valid spans sorted by start time; the sort is stable, so spans starting together keep their order. */
function byStartTime(spans: readonly CaptionSpan[]): CaptionSpan[] {
  for (const span of spans) assertSpanTimes(span);
  return [...spans].sort((a, b) => a.startSeconds - b.startSeconds);
}

function assertSpanTimes({ startSeconds, endSeconds }: CaptionSpan): void {
  if (!isTime(startSeconds) || !isTime(endSeconds)) {
    throw new RangeError(`Span times must be finite and non-negative, got ${startSeconds}–${endSeconds}`);
  }
  if (endSeconds < startSeconds) throw new RangeError(`Span ends before it starts: ${startSeconds}–${endSeconds}`);
}

function isTime(seconds: number): boolean {
  return Number.isFinite(seconds) && seconds >= 0;
}

/** The cues of one span, starting no earlier than `notBefore` (where the previous cue ended). */
function spanCues(span: CaptionSpan, notBefore: number, limits: CueLimits): Cue[] {
  const wordList = words(span.text);
  const groups = chunk(wrapWords(wordList, limits.lineChars), limits.linesPerCue);
  const startSeconds = Math.max(span.startSeconds, notBefore);
  const endSeconds = Math.max(span.endSeconds, startSeconds);
  const bounds =
    span.wordStarts?.length === wordList.length
      ? wordBounds(startSeconds, endSeconds, groups, span.wordStarts)
      : proportionalBounds(
          startSeconds,
          endSeconds,
          groups.map((lines) => charCount(lines.join(" "))),
        );
  return groups.map((lines, index) => ({ startSeconds: bounds[index]!, endSeconds: bounds[index + 1]!, lines }));
}

/**
 * Boundaries at the start of each group's first word, kept within `start`–`end` and never decreasing, so
 * recognition's timing can move a cue but never make cues overlap or overrun the span.
 */
function wordBounds(start: number, end: number, groups: readonly string[][], wordStarts: readonly number[]): number[] {
  const bounds = [start];
  let firstWord = 0;
  for (const lines of groups.slice(0, -1)) {
    firstWord += lines.reduce((sum, line) => sum + words(line).length, 0);
    bounds.push(Math.min(end, Math.max(bounds.at(-1)!, wordStarts[firstWord]!)));
  }
  bounds.push(end);
  return bounds;
}

function words(text: string): string[] {
  return text.split(/\s+/u).filter((word) => word !== "");
}

/** Greedy word wrap: each line takes words while it stays within `lineChars`; a longer word stands alone. */
function wrapWords(wordList: readonly string[], lineChars: number): string[] {
  const lines: string[] = [];
  let line = "";
  for (const word of wordList) {
    if (line === "") line = word;
    else if (charCount(line) + 1 + charCount(word) <= lineChars) line += ` ${word}`;
    else {
      lines.push(line);
      line = word;
    }
  }
  if (line !== "") lines.push(line);
  return lines;
}

function chunk<T>(items: readonly T[], size: number): T[][] {
  const chunks: T[][] = [];
  for (let at = 0; at < items.length; at += size) chunks.push(items.slice(at, at + size));
  return chunks;
}

/**
 * Splits `start`–`end` into `weights.length` consecutive parts sized in proportion to `weights` (all positive)
 * and returns the `weights.length + 1` boundaries. The first and last are `start` and `end` exactly and the
 * ones between never decrease or pass `end`, so floating point error cannot make parts overlap or overrun.
 */
function proportionalBounds(start: number, end: number, weights: readonly number[]): number[] {
  const total = weights.reduce((sum, weight) => sum + weight, 0);
  const bounds = [start];
  let done = 0;
  for (const weight of weights.slice(0, -1)) {
    done += weight;
    bounds.push(Math.min(end, start + ((end - start) * done) / total));
  }
  bounds.push(end);
  return bounds;
}

/** Characters as a reader counts them: code points, so an emoji or accented letter is one, not two. */
function charCount(text: string): number {
  return [...text].length;
}

/**
 * `start --> end` with `separator` before the milliseconds. Rounding is monotonic, so cues that did not overlap
 * before rounding do not overlap after it; the end is held at the start when both round to the same value.
 */
function timingLine(cue: Cue, separator: "," | "."): string {
  const startMs = milliseconds(cue.startSeconds);
  const endMs = Math.max(startMs, milliseconds(cue.endSeconds));
  return `${clockTime(startMs, separator)} --> ${clockTime(endMs, separator)}`;
}

function milliseconds(seconds: number): number {
  if (!isTime(seconds)) throw new RangeError(`Cue times must be finite and non-negative, got ${seconds}`);
  return Math.round(seconds * 1000);
}

/** `HH:MM:SS<separator>mmm`; hours grow past two digits rather than wrap (audiobooks can be that long). */
function clockTime(totalMs: number, separator: "," | "."): string {
  const hours = Math.floor(totalMs / 3_600_000);
  const minutes = Math.floor(totalMs / 60_000) % 60;
  const seconds = Math.floor(totalMs / 1000) % 60;
  const ms = totalMs % 1000;
  return `${pad(hours, 2)}:${pad(minutes, 2)}:${pad(seconds, 2)}${separator}${pad(ms, 3)}`;
}

function pad(value: number, digits: number): string {
  return String(value).padStart(digits, "0");
}

function escapeVttText(line: string): string {
  return line.replace(/&/gu, "&amp;").replace(/</gu, "&lt;").replace(/>/gu, "&gt;");
}
