/** The report's entries, from what preparing and joining measured. */
import { framesToMs } from "./plan-gaps.js";
import type { PreparedClip } from "./prepare-clip.js";
import type { ClipReport, OutputLayout } from "./types.js";

/** The level that `normalizeLevels` sets every clip to (spec §4.10: pydub's `apply_gain(-20 - dBFS)`). */
const TARGET_RMS_DBFS = -20;

/** RMS level of the part of a clip that is used, dBFS; null for digital silence. */
export function rmsDbfs(clip: PreparedClip): number | null {
  const samples = (clip.end - clip.start) * clip.source.channels;
  return clip.sumSquares > 0 ? 10 * Math.log10(clip.sumSquares / samples) : null;
}

/** The gain (dB) that takes a clip to −20 dBFS RMS; none for digital silence or when levelling is off. */
export function levellingGainDb(clip: PreparedClip, normalizeLevels: boolean): number {
  const rms = rmsDbfs(clip);
  return normalizeLevels && rms !== null ? TARGET_RMS_DBFS - rms : 0;
}

export interface JoinedClip {
  clip: PreparedClip;
  gainDb: number;
  /** Largest absolute sample after the gain. */
  peak: number;
}

export function clipReport({ clip, gainDb, peak }: JoinedClip, layout: OutputLayout): ClipReport {
  const rate = layout.sampleRate;
  const frames = clip.end - clip.start;
  const rms = rmsDbfs(clip);
  return {
    kind: "clip",
    label: clip.label,
    sourceSeconds: clip.levels.frames / rate,
    leadingTrimmedMs: roundMs(framesToMs(clip.start, rate)),
    trailingTrimmedMs: roundMs(framesToMs(clip.levels.frames - clip.end, rate)),
    frames,
    durationSeconds: frames / rate,
    rmsDbfs: rms === null ? null : roundDb(rms),
    gainDb: roundDb(gainDb),
    peakDbfs: peak > 0 ? roundDb(20 * Math.log10(peak)) : null,
  };
}

/** What the caller should tell the client about a clip, if anything. */
export function clipWarnings(
  joined: JoinedClip,
  options: { normalizeLevels: boolean; trim: boolean; finalPeaks: boolean },
): string[] {
  const { clip, peak } = joined;
  const warnings: string[] = [];
  const silent = clip.sumSquares === 0;
  if (silent && options.normalizeLevels) {
    warnings.push(`"${clip.label}" is digital silence: its level was left as it is`);
  }
  if (options.trim && clip.levels.soundStart === undefined) {
    warnings.push(`"${clip.label}" has nothing louder than -40 dBFS: it was not trimmed`);
  }
  // With a loudness target the master's peaks are set afterwards, under its true-peak ceiling.
  if (options.finalPeaks && peak > 1) {
    warnings.push(
      `"${clip.label}" peaks at +${roundDb(20 * Math.log10(peak))} dBFS after levelling: the float master keeps ` +
        "it, but a 16-bit or compressed export would clip",
    );
  }
  return warnings;
}

/** Milliseconds to the microsecond: frame lengths rarely come out whole. */
export function roundMs(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}

function roundDb(db: number): number {
  return Math.round(db * 100) / 100;
}
