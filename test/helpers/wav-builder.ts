/**
 * Test signals built in code (tones, silence, seeded noise) and a WAV writer written independently of
 * src/audio/wav.ts, so decoder tests do not check the codec against itself.
 */
import type { MonoPcm } from "../../src/domain/audio.js";

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

/** A small deterministic PRNG (mulberry32) for generated test data. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
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

export type TestWavEncoding = "u8" | "s16" | "s24" | "s32" | "f32" | "f64";

/** Options of {@link buildWav}. */
export interface BuildWavOptions {
  sampleRate: number;
  /** One array per channel, all the same length. */
  channels: Float32Array[];
  encoding: TestWavEncoding;
  /** Write WAVE_FORMAT_EXTENSIBLE instead of a plain format tag. */
  extensible?: boolean;
  /** Extra chunks placed between `fmt ` and `data`, e.g. LIST or an odd-sized chunk. */
  extraChunks?: Array<{ id: string; body: Buffer }>;
  /** Value written as the data chunk size instead of the real one (streamed files use 0xFFFFFFFF). */
  dataSizeField?: number;
}

const BITS: Record<TestWavEncoding, number> = { u8: 8, s16: 16, s24: 24, s32: 32, f32: 32, f64: 64 };

/** Writes a WAV file byte by byte from the RIFF rules. */
export function buildWav(options: BuildWavOptions): Buffer {
  const { sampleRate, channels, encoding } = options;
  const bits = BITS[encoding];
  const isFloat = encoding === "f32" || encoding === "f64";
  const tag = isFloat ? 3 : 1;
  const frames = channels[0]?.length ?? 0;
  const data = Buffer.alloc(frames * channels.length * (bits / 8));
  let offset = 0;
  for (let f = 0; f < frames; f++) {
    for (const channel of channels) offset = writeSample(data, offset, channel[f]!, encoding);
  }
  const fmt = fmtBody({ tag, channels: channels.length, sampleRate, bits, extensible: options.extensible ?? false });
  const chunks = [chunk("fmt ", fmt), ...(options.extraChunks ?? []).map((c) => chunk(c.id, c.body))];
  const dataHeader = Buffer.alloc(8);
  dataHeader.write("data", 0, "latin1");
  dataHeader.writeUInt32LE(options.dataSizeField ?? data.length, 4);
  const body = Buffer.concat([Buffer.from("WAVE", "latin1"), ...chunks, dataHeader, data]);
  const riff = Buffer.alloc(8);
  riff.write("RIFF", 0, "latin1");
  riff.writeUInt32LE(body.length, 4);
  return Buffer.concat([riff, body]);
}

function writeSample(buf: Buffer, offset: number, x: number, encoding: TestWavEncoding): number {
  const clip = (v: number, lo: number, hi: number): number => Math.max(lo, Math.min(hi, Math.round(v)));
  switch (encoding) {
    case "u8":
      return buf.writeUInt8(clip(x * 128 + 128, 0, 255), offset);
    case "s16":
      return buf.writeInt16LE(clip(x * 32768, -32768, 32767), offset);
    case "s24":
      return buf.writeIntLE(clip(x * 8388608, -8388608, 8388607), offset, 3);
    case "s32":
      return buf.writeInt32LE(clip(x * 2147483648, -2147483648, 2147483647), offset);
    case "f32":
      return buf.writeFloatLE(x, offset);
    case "f64":
      return buf.writeDoubleLE(x, offset);
  }
}

function fmtBody(f: { tag: number; channels: number; sampleRate: number; bits: number; extensible: boolean }): Buffer {
  const body = Buffer.alloc(f.extensible ? 40 : 16);
  const blockAlign = (f.channels * f.bits) / 8;
  body.writeUInt16LE(f.extensible ? 0xfffe : f.tag, 0);
  body.writeUInt16LE(f.channels, 2);
  body.writeUInt32LE(f.sampleRate, 4);
  body.writeUInt32LE(f.sampleRate * blockAlign, 8);
  body.writeUInt16LE(blockAlign, 12);
  body.writeUInt16LE(f.bits, 14);
  if (f.extensible) {
    body.writeUInt16LE(22, 16); // cbSize
    body.writeUInt16LE(f.bits, 18); // valid bits
    body.writeUInt32LE(f.channels === 1 ? 0x4 : 0x3, 20); // channel mask: centre, or front left+right
    body.writeUInt16LE(f.tag, 24);
    Buffer.from("000000001000800000aa00389b71", "hex").copy(body, 26);
  }
  return body;
}

function chunk(id: string, body: Buffer): Buffer {
  const header = Buffer.alloc(8);
  header.write(id, 0, "latin1");
  header.writeUInt32LE(body.length, 4);
  // Odd-sized chunks are followed by one pad byte that their size does not count.
  return Buffer.concat([header, body, Buffer.alloc(body.length % 2)]);
}
