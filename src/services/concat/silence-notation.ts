/**
 * Manual silences in a concatenation (spec §4.6): `(500ms)`, `(1.5s)`. Case-sensitive, no spaces, no sign,
 * as the original; the milliseconds are truncated like its `int()`, and must lie in 50 ms–10 s.
 */

const NOTATION = /^\((\d+(?:\.\d+)?)(ms|s)\)$/;

const MIN_SILENCE_MS = 50;
const MAX_SILENCE_MS = 10_000;

/** The milliseconds a silence token asks for (range not checked), or undefined when `text` is no token. */
export function parseSilence(text: string): number | undefined {
  const match = NOTATION.exec(text);
  if (!match) return undefined;
  const value = Number(match[1]);
  return Math.trunc(match[2] === "s" ? value * 1000 : value);
}

export function silenceInRange(ms: number): boolean {
  return ms >= MIN_SILENCE_MS && ms <= MAX_SILENCE_MS;
}

/** The original's message for a token outside the range, e.g. for `(15s)`. */
export function silenceRangeMessage(token: string): string {
  return `Silence duration must be between 50ms and 10s: ${token}`;
}

/** Something meant as a silence but written otherwise (`(500 ms)`, `(2 s)`): worth a hint when it is no file. */
export function looksLikeSilence(text: string): boolean {
  return /^\(.*\)$/.test(text.trim());
}
