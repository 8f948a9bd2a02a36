/**
 * Silence trimming for TTS output (spec §4.13). Detection follows librosa.effects.split so results match the
 * Python server: centred frames (zero padded), frame RMS in dB relative to the loudest frame, and frames
 * louder than `-topDb` count as sound.
 */
import type { MonoPcm } from "../domain/audio.js";

/** Options of {@link nonSilentIntervals}; the defaults are the TTS trim's. */
export interface SplitOptions {
  /** How far below the loudest frame a frame may be and still count as sound (dB). */
  topDb?: number;
  frameLength?: number;
  hopLength?: number;
}

/** A half-open run of samples `[start, end)`. */
export interface SampleInterval {
  start: number;
  end: number;
}

/** Options of {@link trimSilence}. */
export interface TrimOptions {
  /** A side is trimmed only when its silence is longer than this (the API's `trim_threshold_ms`). */
  thresholdMs: number;
  /** Silence kept on a trimmed side so speech does not start abruptly. */
  padMs?: number;
  split?: SplitOptions;
}

/** What trimming did, in the snake_case shape stored in metadata. Durations are whole milliseconds. */
export interface TrimInfo {
  trimmed: boolean;
  original_duration_ms: number;
  trimmed_duration_ms: number;
  leading_silence_removed_ms: number;
  trailing_silence_removed_ms: number;
  threshold_ms: number;
}

export interface TrimResult {
  pcm: MonoPcm;
  info: TrimInfo;
}

/** librosa's floor for amplitudes before taking logs; it also decides what "fully silent" means. */
const AMIN = 1e-5;

/**
 * Finds the runs of frames louder than `-topDb` relative to the loudest frame, as sample intervals.
 * An empty clip has no intervals; a clip whose loudest frame is below librosa's floor (1e-5) is one interval,
 * exactly as librosa reports it.
 */
export function nonSilentIntervals(pcm: MonoPcm, options: SplitOptions = {}): SampleInterval[] {
  const { topDb = 40, frameLength = 2048, hopLength = 512 } = options;
  const n = pcm.samples.length;
  if (n === 0) return [];
  const rms = frameRms(pcm.samples, frameLength, hopLength);
  const refDb = toDb(rms.reduce((a, b) => Math.max(a, b), 0));
  const intervals: SampleInterval[] = [];
  let runStart = -1;
  for (let t = 0; t <= rms.length; t++) {
    const loud = t < rms.length && toDb(rms[t]!) - refDb > -topDb;
    if (loud && runStart < 0) runStart = t;
    if (!loud && runStart >= 0) {
      intervals.push({ start: Math.min(runStart * hopLength, n), end: Math.min(t * hopLength, n) });
      runStart = -1;
    }
  }
  return intervals;
}

/** RMS of centred frames, zero padded by half a frame on both sides (librosa's `center=True`). */
function frameRms(samples: Float32Array, frameLength: number, hopLength: number): number[] {
  const n = samples.length;
  const prefix = new Float64Array(n + 1); // running sum of squares, so each frame costs O(1)
  for (let i = 0; i < n; i++) prefix[i + 1] = prefix[i]! + samples[i]! * samples[i]!;
  const half = Math.floor(frameLength / 2);
  const frames = 1 + Math.floor((n + 2 * half - frameLength) / hopLength);
  const rms: number[] = new Array(frames);
  for (let t = 0; t < frames; t++) {
    const from = Math.max(0, t * hopLength - half);
    const to = Math.min(n, t * hopLength - half + frameLength);
    const energy = to > from ? prefix[to]! - prefix[from]! : 0;
    rms[t] = Math.sqrt(Math.max(0, energy) / frameLength);
  }
  return rms;
}

function toDb(amplitude: number): number {
  return 20 * Math.log10(Math.max(AMIN, amplitude));
}

/**
 * Removes long leading and trailing silence. A side whose silence exceeds `thresholdMs` is cut down to
 * `padMs` (50 ms); shorter silences are left alone. Silent or empty clips come back untouched (for a silent
 * clip every frame sits at the floor, so the whole clip is one "sound" interval with no silence around it).
 */
export function trimSilence(pcm: MonoPcm, options: TrimOptions): TrimResult {
  const { thresholdMs, padMs = 50 } = options;
  const n = pcm.samples.length;
  const intervals = nonSilentIntervals(pcm, options.split);
  const first = intervals[0];
  const last = intervals[intervals.length - 1];
  let cutStart = 0;
  let cutEnd = 0;
  if (first !== undefined && last !== undefined) {
    const pad = Math.round((padMs / 1000) * pcm.sampleRate);
    const leading = first.start;
    const trailing = n - last.end;
    if (toMs(leading, pcm.sampleRate) > thresholdMs) cutStart = Math.max(0, leading - pad);
    if (toMs(trailing, pcm.sampleRate) > thresholdMs) cutEnd = Math.max(0, trailing - pad);
  }
  const samples = cutStart + cutEnd > 0 ? pcm.samples.slice(cutStart, n - cutEnd) : pcm.samples;
  const out: MonoPcm = { sampleRate: pcm.sampleRate, samples };
  return {
    pcm: out,
    info: {
      trimmed: cutStart + cutEnd > 0,
      original_duration_ms: Math.round(toMs(n, pcm.sampleRate)),
      trimmed_duration_ms: Math.round(toMs(samples.length, pcm.sampleRate)),
      leading_silence_removed_ms: Math.round(toMs(cutStart, pcm.sampleRate)),
      trailing_silence_removed_ms: Math.round(toMs(cutEnd, pcm.sampleRate)),
      threshold_ms: thresholdMs,
    },
  };
}

function toMs(sampleCount: number, sampleRate: number): number {
  return (sampleCount / sampleRate) * 1000;
}
