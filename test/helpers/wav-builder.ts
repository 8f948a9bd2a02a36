/**
 * Test signals built in code (tones, silence, seeded noise) and a 16-bit WAV writer for audio that clients
 * send (the server itself writes only 32-bit float WAV).
 */
import type { MonoPcm } from "../../src/domain/audio.js";
import { seededRandom } from "../../src/domain/seeded-random.js";

/** Options of {@link sine}. */
export interface ToneOptions {
  freq: number;
  seconds: number;
  sampleRate: number;
  /** Peak amplitude, default 0.5. */
  amplitude?: number;
}

/** A pure tone. */
export function sine(options: ToneOptions): Float32Array {
  const { freq, seconds, sampleRate, amplitude = 0.5 } = options;
  const out = new Float32Array(Math.round(seconds * sampleRate));
  for (let i = 0; i < out.length; i++) out[i] = amplitude * Math.sin((2 * Math.PI * freq * i) / sampleRate);
  return out;
}

/** Options of {@link harmonicTone}. */
export interface HarmonicOptions {
  f0: number;
  seconds: number;
  sampleRate: number;
  /** Amplitude of harmonic k+1 at index k, e.g. [0.4, 0.2, 0.1]. */
  harmonics: number[];
}

/** A voice-like tone: a fundamental plus harmonics. */
export function harmonicTone(options: HarmonicOptions): Float32Array {
  const { f0, seconds, sampleRate, harmonics } = options;
  const out = new Float32Array(Math.round(seconds * sampleRate));
  for (let i = 0; i < out.length; i++) {
    let v = 0;
    harmonics.forEach((a, k) => {
      v += a * Math.sin((2 * Math.PI * f0 * (k + 1) * i) / sampleRate);
    });
    out[i] = v;
  }
  return out;
}

/** Digital silence. */
export function silence(seconds: number, sampleRate: number): Float32Array {
  return new Float32Array(Math.round(seconds * sampleRate));
}

/** Options of {@link noise}. */
export interface NoiseOptions {
  seconds: number;
  sampleRate: number;
  amplitude: number;
  seed?: number;
}

/** Uniform white noise in [-amplitude, amplitude), reproducible from `seed`. */
export function noise(options: NoiseOptions): Float32Array {
  const random = seededRandom(options.seed ?? 1);
  const out = new Float32Array(Math.round(options.seconds * options.sampleRate));
  for (let i = 0; i < out.length; i++) out[i] = options.amplitude * (2 * random() - 1);
  return out;
}

/** Joins sample arrays end to end. */
export function joinSamples(...parts: Float32Array[]): Float32Array {
  const out = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}

/** Wraps samples as MonoPcm. */
export function mono(sampleRate: number, samples: Float32Array): MonoPcm {
  return { sampleRate, samples };
}

/**
 * Writes mono 16-bit integer PCM WAV, the most common upload format, byte by byte from the RIFF rules.
 * Samples are scaled by 32768 and clipped to the 16-bit range.
 */
export function buildS16Wav(pcm: MonoPcm): Buffer {
  const data = Buffer.alloc(pcm.samples.length * 2);
  pcm.samples.forEach((x, i) => data.writeInt16LE(Math.max(-32768, Math.min(32767, Math.round(x * 32768))), i * 2));
  const header = Buffer.alloc(44);
  header.write("RIFF", 0, "latin1");
  header.writeUInt32LE(36 + data.length, 4);
  header.write("WAVEfmt ", 8, "latin1");
  header.writeUInt32LE(16, 16); // plain PCM has no cbSize field
  header.writeUInt16LE(1, 20); // WAVE_FORMAT_PCM
  header.writeUInt16LE(1, 22); // channels
  header.writeUInt32LE(pcm.sampleRate, 24);
  header.writeUInt32LE(pcm.sampleRate * 2, 28); // bytes per second
  header.writeUInt16LE(2, 32); // bytes per frame
  header.writeUInt16LE(16, 34); // bits per sample
  header.write("data", 36, "latin1");
  header.writeUInt32LE(data.length, 40);
  return Buffer.concat([header, data]);
}
