/**
 * The contract of concatenation (spec §3.17, §3.18): what a caller asks for and what it gets back. Durations
 * a client chose are in milliseconds; lengths in the output are also given in frames (one sample per channel)
 * at the output rate, which is what the audio really holds.
 */

/** The one sample rate and channel count every clip is converted to. */
export interface OutputLayout {
  sampleRate: number;
  channels: 1 | 2;
}

/** One entry of the list to join: an audio file, or a stretch of digital silence the user asked for. */
export type ConcatItem = { kind: "clip"; path: string; label: string } | { kind: "silence"; ms: number; label: string };

/** Natural pauses: `baseMs` ± `variationMs`, a uniform whole number of ms drawn once per gap from `seed`. */
export interface PauseOptions {
  baseMs: number;
  variationMs: number;
  seed: number;
}

export interface ConcatOptions {
  /** In order; at least one clip. */
  items: ConcatItem[];
  /** What is not given is the first clip's: its rate, its channel count (more than two channels become two). */
  layout?: Partial<OutputLayout>;
  /** Set each clip's RMS level (after trimming) to −20 dBFS. */
  normalizeLevels: boolean;
  /** Equal-power crossfade between clips that meet with no silence or pause; 0 = off. */
  crossfadeMs: number;
  /** Natural pauses between clips that have no manual silence between them. */
  pause?: PauseOptions;
  /** Remove each clip's leading and trailing silence (below −40 dBFS), keeping `thresholdMs` of it. */
  trim?: { thresholdMs: number };
  /**
   * Bring the finished master to this integrated loudness (LUFS): one gain when that keeps the true peak at or
   * below −1 dBTP, else ffmpeg's loudnorm (dynamic).
   */
  loudnessTargetLufs?: number;
  /** A folder the caller owns and removes; decoded clips are written there and deleted once joined. */
  scratchDir: string;
  /** Where the 32-bit float WAV master is written (RF64 when it passes 4 GiB). */
  masterPath: string;
  /** Aborting stops ffmpeg and the writing, removes what was written, and rejects with the signal's reason. */
  signal?: AbortSignal;
  /** Called as clips are joined (every few clips or about once a second, and once at the end). */
  onProgress?: (joinedClips: number, totalClips: number) => void;
}

export interface ClipReport {
  kind: "clip";
  label: string;
  /** The decoded clip's length at the output rate, before trimming. */
  sourceSeconds: number;
  leadingTrimmedMs: number;
  trailingTrimmedMs: number;
  /** Frames of this clip in the output (crossfades overlap them with their neighbours'). */
  frames: number;
  durationSeconds: number;
  /** RMS level of the part used, before gain; null for digital silence. */
  rmsDbfs: number | null;
  /** Gain applied by `normalizeLevels` (0 when off or for digital silence). */
  gainDb: number;
  /** Highest sample after the gain, dBFS; null for digital silence. Above 0 means an integer export clips. */
  peakDbfs: number | null;
}

export interface SilenceReport {
  kind: "silence";
  label: string;
  ms: number;
  frames: number;
}

/** What joins one clip to the next clip. */
export interface GapReport {
  /** Index (in `items`) of the clip the gap follows. */
  after: number;
  /** `silence`: the manual silences between the two clips; `crossfade`: an overlap that shortens the total. */
  kind: "silence" | "pause" | "crossfade" | "butt";
  /** Actual length; for a crossfade, the overlap. */
  ms: number;
  frames: number;
  /** A pause's base and the variation drawn for it (ms, may be negative). */
  baseMs?: number;
  variationMs?: number;
}

export interface LoudnessReport {
  targetLufs: number;
  /** The master's integrated loudness as measured before normalisation. */
  inputLufs: number;
  outputLufs: number;
  /** `linear`: one constant gain; `dynamic`: loudnorm's compressor/limiter, as the true-peak ceiling required. */
  mode: "linear" | "dynamic";
  truePeakCeilingDbtp: number;
}

export interface ConcatReport {
  layout: OutputLayout;
  frames: number;
  durationSeconds: number;
  items: Array<ClipReport | SilenceReport>;
  gaps: GapReport[];
  loudness?: LoudnessReport;
  /** Things the caller should pass on to the client (clipping peaks, silent clips, skipped loudness). */
  warnings: string[];
}
