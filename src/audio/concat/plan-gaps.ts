/**
 * The one gap rule of concatenation. Between two consecutive clips: the manual silence(s) given between them,
 * else a natural pause if pauses are on, else a crossfade if it is on, else a butt join. Gaps only ever sit
 * between two clips, so there is never a leading or trailing pause; manual silences at either end of the list
 * stay as the user put them, and silences never crossfade. (The original server mixed three variants of this,
 * one with a trailing pause and one crossfading into pauses: spec §4.7.)
 */
import type { ConcatItem, PauseOptions } from "./types.js";
import { seededRandom } from "../../domain/seeded-random.js";

/** What joins the clip at item `after` to the next clip, at item `before`. */
export type PlannedGap = { after: number; before: number } & (
  | { kind: "silence" | "butt" }
  | { kind: "crossfade"; ms: number }
  | { kind: "pause"; ms: number; baseMs: number; variationMs: number }
);

export interface GapRules {
  crossfadeMs: number;
  pause?: PauseOptions;
}

/**
 * The gap after each clip that has a clip somewhere after it, in order. Pause lengths are drawn from a
 * generator seeded with `pause.seed`, one draw per pause in order, so the same list and seed give the same
 * pauses.
 */
export function planGaps(kinds: ReadonlyArray<ConcatItem["kind"]>, rules: GapRules): PlannedGap[] {
  const random = seededRandom(rules.pause?.seed ?? 0);
  const gaps: PlannedGap[] = [];
  let previousClip = -1;
  kinds.forEach((kind, index) => {
    if (kind !== "clip") return;
    if (previousClip >= 0) gaps.push(gapBetween({ after: previousClip, before: index, rules, random }));
    previousClip = index;
  });
  return gaps;
}

interface GapSite {
  after: number;
  before: number;
  rules: GapRules;
  random: () => number;
}

function gapBetween({ after, before, rules, random }: GapSite): PlannedGap {
  if (before - after > 1) return { after, before, kind: "silence" };
  const { pause, crossfadeMs } = rules;
  if (pause !== undefined && pause.baseMs > 0) {
    const variationMs = Math.floor(random() * (2 * pause.variationMs + 1)) - pause.variationMs;
    // The API keeps the variation below the base; the floor only guards direct callers.
    const ms = Math.max(0, pause.baseMs + variationMs);
    return { after, before, kind: "pause", ms, baseMs: pause.baseMs, variationMs };
  }
  if (crossfadeMs > 0) return { after, before, kind: "crossfade", ms: crossfadeMs };
  return { after, before, kind: "butt" };
}

/** Frames in `ms` milliseconds at `sampleRate`, rounded to the nearest frame. */
export function msToFrames(ms: number, sampleRate: number): number {
  return Math.round((ms * sampleRate) / 1000);
}

/** Milliseconds in `frames` at `sampleRate` (not rounded: reports show the real length). */
export function framesToMs(frames: number, sampleRate: number): number {
  return (frames * 1000) / sampleRate;
}
