/**
 * Shortens long pauses inside speech: what the Gradio app's `use_auto_editor` did by running auto-editor
 * (`--edit audio:threshold=T --margin Ms`), done here in-process since auto-editor is not a dependency.
 *
 * Silence follows auto-editor's `audio:threshold`: a stretch is silent when no sample in it reaches
 * `threshold` × the clip's peak |sample| (auto-editor compares each frame's peak to the file's peak; here the
 * "frame" is any stretch, i.e. sample resolution, so pause lengths are exact rather than rounded to frames).
 * A consequence worth relying on: every sample at or above that level is kept, unchanged and in order.
 *
 * Each internal silence longer than the margin is shortened to the margin (auto-editor keeps the margin on
 * both sides of each sound, so its pauses can reach twice the margin). Half the kept pause stays after the
 * sound before it and half before the sound after it; the two halves are joined with a short linear
 * crossfade inside the silence, so a low hum or noise floor does not click. Silence before the first sound
 * and after the last one is left to trimming.
 */
import type { MonoPcm } from "../domain/audio.js";
import type { SampleInterval } from "./trim.js";

/** Options of {@link compactSilences}; the API's `ae_threshold` and `ae_margin`. */
export interface CompactionOptions {
  /** 0–1: the fraction of the clip's peak amplitude below which audio is silent (0 finds no silence). */
  threshold: number;
  /** The pause kept where a longer internal silence was (seconds, ≥ 0). */
  marginSeconds: number;
}

/** What compaction did, in the snake_case shape stored in metadata. Durations are whole milliseconds. */
export interface CompactionInfo {
  silences_shortened: number;
  removed_ms: number;
  /** The longest silence between two sounds, before and after compaction (0 when there is none). */
  longest_silence_ms_before: number;
  longest_silence_ms_after: number;
}

export interface CompactionResult {
  pcm: MonoPcm;
  info: CompactionInfo;
}

/** Length of the crossfade at each join; also the shortest pause kept, so a margin of 0 still joins smoothly. */
export const JOIN_CROSSFADE_SECONDS = 0.005;

/**
 * Shortens every internal silence longer than `marginSeconds` to `marginSeconds` (never below the 5 ms join
 * crossfade). Sounds are never shortened or altered; only silent samples are removed or crossfaded.
 * @throws RangeError for a threshold outside 0–1 or a negative margin.
 */
export function compactSilences(pcm: MonoPcm, options: CompactionOptions): CompactionResult {
  const { threshold, marginSeconds } = options;
  if (!(threshold >= 0 && threshold <= 1)) throw new RangeError(`threshold must be within 0–1, got ${threshold}`);
  if (!(marginSeconds >= 0)) throw new RangeError(`marginSeconds must be ≥ 0, got ${marginSeconds}`);
  const { samples, sampleRate } = pcm;
  const level = threshold * peakAmplitude(samples);
  const before = internalSilences(samples, level);
  const fade = Math.max(1, Math.round(JOIN_CROSSFADE_SECONDS * sampleRate));
  const keep = Math.max(fade, Math.round(marginSeconds * sampleRate));
  const long = before.filter((run) => run.end - run.start > keep);
  const out = long.length > 0 ? { sampleRate, samples: spliceSilences(samples, long, keep, fade) } : pcm;
  const after = long.length > 0 ? internalSilences(out.samples, level) : before;
  const ms = (count: number) => Math.round((count / sampleRate) * 1000);
  return {
    pcm: out,
    info: {
      silences_shortened: long.length,
      removed_ms: ms(samples.length - out.samples.length),
      longest_silence_ms_before: ms(longestRun(before)),
      longest_silence_ms_after: ms(longestRun(after)),
    },
  };
}

/**
 * The silences between sounds: maximal runs of samples with |x| below `level` that have a sound on both
 * sides. A level of 0 (silent clip or threshold 0) finds none.
 */
export function internalSilences(samples: Float32Array, level: number): SampleInterval[] {
  const runs: SampleInterval[] = [];
  if (!(level > 0)) return runs;
  let runStart = -1;
  let seenSound = false;
  for (let i = 0; i < samples.length; i++) {
    const quiet = Math.abs(samples[i]!) < level;
    if (quiet && runStart < 0) runStart = i;
    if (!quiet) {
      // A run that began before any sound is leading silence, not a pause between sounds.
      if (runStart >= 0 && seenSound) runs.push({ start: runStart, end: i });
      runStart = -1;
      seenSound = true;
    }
  }
  return runs; // a run still open at the end is trailing silence
}

/**
 * Copies `samples`, replacing each run with `keep` samples: its first and last halves, overlapped by
 * `fade` samples. `keep ≥ fade` and every run is longer than `keep`, so the crossfade lies inside the run.
 */
function spliceSilences(
  samples: Float32Array,
  runs: readonly SampleInterval[],
  keep: number,
  fade: number,
): Float32Array {
  const removed = runs.reduce((sum, run) => sum + (run.end - run.start - keep), 0);
  const out = new Float32Array(samples.length - removed);
  const head = Math.floor((keep + fade) / 2); // samples taken after the sound before the pause
  const tail = keep + fade - head; // samples taken before the sound after it
  let from = 0;
  let to = 0;
  for (const run of runs) {
    const fadeStart = run.start + head - fade;
    out.set(samples.subarray(from, fadeStart), to);
    to += fadeStart - from;
    const tailStart = run.end - tail;
    for (let j = 0; j < fade; j++) {
      const w = (j + 0.5) / fade;
      out[to + j] = (1 - w) * samples[fadeStart + j]! + w * samples[tailStart + j]!;
    }
    to += fade;
    from = tailStart + fade;
  }
  out.set(samples.subarray(from), to);
  return out;
}

function peakAmplitude(samples: Float32Array): number {
  let peak = 0;
  for (let i = 0; i < samples.length; i++) peak = Math.max(peak, Math.abs(samples[i]!));
  return peak;
}

function longestRun(runs: readonly SampleInterval[]): number {
  return runs.reduce((longest, run) => Math.max(longest, run.end - run.start), 0);
}
