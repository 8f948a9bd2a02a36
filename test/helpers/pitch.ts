/**
 * The tests' own F0 estimator (YIN: de Cheveigné & Kawahara 2002), independent of the sidecar's, so a
 * test judges the pitch of the audio a client downloads with a measure the server did not make.
 *
 * The audio is low-passed and decimated to about 12 kHz first: F0 of speech lies under 500 Hz, and the
 * difference function costs window × lags per frame, both counted in samples, so halving the rate makes
 * it four times cheaper.
 */
import type { MonoPcm } from "../../src/domain/audio.js";

export interface PitchOptions {
  /** Lowest and highest F0 searched, Hz (default 60-500: adult and child voices). */
  minHz?: number;
  maxHz?: number;
  /** Frame step, seconds (default 0.01). */
  hop?: number;
  /** The period is the first dip of the normalized difference under this (default 0.15, YIN's usual). */
  threshold?: number;
  /** A frame whose deepest dip stays above this is not voiced (default 0.35). */
  voicing?: number;
  /** A frame quieter than the loudest frame by more than this many dB is not voiced (default 35). */
  silenceDb?: number;
}

export interface PitchFrame {
  /** Centre of the frame, seconds. */
  time: number;
  /** Estimated F0, Hz; 0 when the frame is not voiced. */
  f0: number;
  voiced: boolean;
}

const ANALYSIS_RATE = 12_000;

interface Thresholds {
  threshold: number;
  voicing: number;
}

/** F0 and voicing per frame. */
export function pitchTrack(pcm: MonoPcm, options: PitchOptions = {}): PitchFrame[] {
  const { minHz = 60, maxHz = 500, hop = 0.01, threshold = 0.15, voicing = 0.35, silenceDb = 35 } = options;
  const { samples, sampleRate } = decimate(pcm);
  const maxLag = Math.ceil(sampleRate / minHz);
  const minLag = Math.floor(sampleRate / maxHz);
  // Two periods of the lowest F0 let the difference function see periodicity in any voice.
  const window = 2 * maxLag;
  const step = Math.round(hop * sampleRate);
  const starts: number[] = [];
  for (let start = 0; start + window + maxLag <= samples.length; start += step) starts.push(start);
  const energies = starts.map((start) => frameEnergy(samples, start, window));
  const floor = energies.reduce((top, e) => Math.max(top, e), 0) * 10 ** (-silenceDb / 10);
  return starts.map((start, i) => {
    const time = (start + window / 2) / sampleRate;
    if (energies[i]! <= floor) return { time, f0: 0, voiced: false };
    const lag = periodOf(cmndf(samples, start, window, maxLag), minLag, { threshold, voicing });
    return lag === undefined ? { time, f0: 0, voiced: false } : { time, f0: sampleRate / lag, voiced: true };
  });
}

/** Median F0 of the voiced frames, Hz; NaN when no frame is voiced. */
export function medianF0(pcm: MonoPcm, options?: PitchOptions): number {
  const voiced = voicedF0(pcm, options);
  if (voiced.length === 0) return NaN;
  const mid = voiced.length >> 1;
  return voiced.length % 2 === 1 ? voiced[mid]! : (voiced[mid - 1]! + voiced[mid]!) / 2;
}

/** How wide the intonation is: the span from the 5th to the 95th percentile of voiced F0, in semitones. */
export function f0RangeSemitones(pcm: MonoPcm, options?: PitchOptions): number {
  const f0 = voicedF0(pcm, options);
  const at = (q: number) => f0[Math.round(q * (f0.length - 1))]!;
  return f0.length === 0 ? NaN : 12 * Math.log2(at(0.95) / at(0.05));
}

/** The F0 of the voiced frames, ascending. */
function voicedF0(pcm: MonoPcm, options?: PitchOptions): number[] {
  return pitchTrack(pcm, options)
    .filter((frame) => frame.voiced)
    .map((frame) => frame.f0)
    .sort((a, b) => a - b);
}

/** How many frames are voiced. */
export function voicedFrames(pcm: MonoPcm, options?: PitchOptions): number {
  return pitchTrack(pcm, options).filter((frame) => frame.voiced).length;
}

function frameEnergy(samples: Float32Array, start: number, length: number): number {
  let sum = 0;
  for (let j = start; j < start + length; j++) sum += samples[j]! * samples[j]!;
  return sum / length;
}

/** YIN's cumulative mean normalized difference d'(τ) for τ in [0, maxLag]. */
function cmndf(samples: Float32Array, start: number, window: number, maxLag: number): Float64Array {
  const d = new Float64Array(maxLag + 1);
  for (let lag = 1; lag <= maxLag; lag++) {
    let sum = 0;
    for (let j = start; j < start + window; j++) {
      const diff = samples[j]! - samples[j + lag]!;
      sum += diff * diff;
    }
    d[lag] = sum;
  }
  d[0] = 1;
  let running = 0;
  for (let lag = 1; lag <= maxLag; lag++) {
    running += d[lag]!;
    d[lag] = running === 0 ? 1 : (d[lag]! * lag) / running;
  }
  return d;
}

/**
 * The period: the first lag whose d' dips under `threshold`, followed down to its local minimum (taking the
 * first clear dip, not the deepest, keeps YIN from reporting an octave too low); in a rough frame with no
 * clear dip, the deepest one. Refined by a parabola through its neighbours; undefined when even the deepest
 * dip stays above `voicing` (noise or silence).
 */
function periodOf(d: Float64Array, minLag: number, { threshold, voicing }: Thresholds): number | undefined {
  const maxLag = d.length - 1;
  let lag = minLag;
  while (lag < maxLag && d[lag]! >= threshold) lag++;
  if (lag >= maxLag) lag = deepest(d, minLag);
  while (lag + 1 < maxLag && d[lag + 1]! < d[lag]!) lag++;
  if (d[lag]! >= voicing || lag >= maxLag) return undefined;
  const [a, b, c] = [d[lag - 1]!, d[lag]!, d[lag + 1]!];
  const curvature = a - 2 * b + c;
  return curvature > 0 ? lag + (a - c) / (2 * curvature) : lag;
}

/** The lag of the lowest d' from `from` on. */
function deepest(d: Float64Array, from: number): number {
  let best = from;
  for (let lag = from + 1; lag < d.length; lag++) if (d[lag]! < d[best]!) best = lag;
  return best;
}

/** Low-passed (windowed sinc) and decimated by an integer factor to about ANALYSIS_RATE. */
function decimate(pcm: MonoPcm): MonoPcm {
  const factor = Math.max(1, Math.floor(pcm.sampleRate / ANALYSIS_RATE));
  if (factor === 1) return pcm;
  const taps = lowPass(0.45 / factor, 16 * factor + 1);
  const half = (taps.length - 1) / 2;
  const out = new Float32Array(Math.floor(pcm.samples.length / factor));
  for (let i = 0; i < out.length; i++) {
    const centre = i * factor;
    let sum = 0;
    for (let k = 0; k < taps.length; k++) {
      const j = centre + k - half;
      if (j >= 0 && j < pcm.samples.length) sum += taps[k]! * pcm.samples[j]!;
    }
    out[i] = sum;
  }
  return { sampleRate: pcm.sampleRate / factor, samples: out };
}

/** A Hann-windowed sinc low-pass with `cutoff` in cycles per sample, unity gain at DC. */
function lowPass(cutoff: number, length: number): Float64Array {
  const taps = new Float64Array(length);
  const mid = (length - 1) / 2;
  for (let k = 0; k < length; k++) {
    const x = k - mid;
    const sinc = x === 0 ? 2 * cutoff : Math.sin(2 * Math.PI * cutoff * x) / (Math.PI * x);
    taps[k] = sinc * (0.5 - 0.5 * Math.cos((2 * Math.PI * k) / (length - 1)));
  }
  const sum = taps.reduce((s, t) => s + t, 0);
  return taps.map((t) => t / sum);
}
