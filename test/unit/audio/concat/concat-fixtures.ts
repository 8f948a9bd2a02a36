/**
 * Files for the concatenation tests: clips written as float WAV (or converted by ffmpeg to other formats), and
 * masters read back by ffmpeg and ffprobe, so the results are judged by independent readers.
 */
import { execa } from "execa";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { concatenate } from "../../../../src/audio/concat/concatenate.js";
import type { ConcatItem, ConcatOptions } from "../../../../src/audio/concat/types.js";
import { encodeWav } from "../../../../src/audio/wav.js";
import { probeAudio } from "../../../helpers/ffprobe.js";
import { harmonicTone, noise } from "../../../helpers/wav-builder.js";

/** A fresh temp folder, removed by `dispose`. */
export async function tempFolder(prefix: string): Promise<{ dir: string; dispose: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  return { dir, dispose: () => rm(dir, { recursive: true, force: true }) };
}

/** Options of {@link voiceLike}. */
export interface VoiceOptions {
  seconds: number;
  sampleRate: number;
  f0?: number;
  /** Peak of the fundamental; the harmonics and a little noise come on top. */
  amplitude?: number;
  seed?: number;
}

/**
 * A voice-like clip: harmonics plus a little noise, so no sample is exactly zero and a cut anywhere lands
 * mid-waveform.
 */
export function voiceLike(options: VoiceOptions): Float32Array {
  const { seconds, sampleRate, f0 = 180, amplitude = 0.3, seed = 1 } = options;
  const tone = harmonicTone({ f0, seconds, sampleRate, harmonics: [amplitude, amplitude / 2, amplitude / 4] });
  const hiss = noise({ seconds, sampleRate, amplitude: amplitude / 50, seed });
  return tone.map((x, i) => x + hiss[i]! + amplitude / 100);
}

/** Writes mono float samples as a 32-bit float WAV and returns its path. */
export async function writeClip(dir: string, name: string, samples: Float32Array, sampleRate: number): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, encodeWav({ sampleRate, samples }));
  return path;
}

/** Converts a file with ffmpeg (`args` go between input and output) and returns the output's path. */
export async function ffmpegConvert(input: string, output: string, args: string[]): Promise<string> {
  await execa("ffmpeg", ["-v", "error", "-y", "-i", input, ...args, output]);
  return output;
}

export interface DecodedMaster {
  sampleRate: number;
  channels: number;
  codec: string;
  frames: number;
  /** Interleaved. */
  samples: Float32Array;
}

/** Decodes a master with ffmpeg, every channel kept. */
export async function readMaster(path: string): Promise<DecodedMaster> {
  const probed = await probeAudio(path);
  const { stdout } = await execa("ffmpeg", ["-v", "error", "-i", path, "-c:a", "pcm_f32le", "-f", "f32le", "pipe:1"], {
    encoding: "buffer",
  });
  const samples = new Float32Array(stdout.byteLength / 4);
  new Uint8Array(samples.buffer).set(stdout);
  return {
    sampleRate: probed.sampleRate,
    channels: probed.channels,
    codec: probed.codecName,
    frames: samples.length / probed.channels,
    samples,
  };
}

/** The largest step between neighbouring frames of one channel within frames `[from, to)`. */
export function largestStep(master: DecodedMaster, from: number, to: number): number {
  const { samples, channels } = master;
  let largest = 0;
  for (let f = Math.max(1, from); f < Math.min(to, master.frames); f++) {
    for (let c = 0; c < channels; c++) {
      largest = Math.max(largest, Math.abs(samples[f * channels + c]! - samples[(f - 1) * channels + c]!));
    }
  }
  return largest;
}

/** RMS level (dBFS) of frames `[from, to)`, all channels. */
export function rmsDbfsOf(master: DecodedMaster, from: number, to: number): number {
  let sum = 0;
  for (let i = from * master.channels; i < to * master.channels; i++) sum += master.samples[i]! ** 2;
  return 10 * Math.log10(sum / ((to - from) * master.channels));
}

/** Whether frames `[from, to)` are all digital silence. */
export function isSilent(master: DecodedMaster, from: number, to: number): boolean {
  return master.samples.subarray(from * master.channels, to * master.channels).every((x) => x === 0);
}

let masters = 0;

/** Joins `items` into a new master in `dir` (plain settings unless `options` say otherwise) and reads it back. */
export async function joinAndRead(dir: string, items: ConcatItem[], options: Partial<ConcatOptions> = {}) {
  masters += 1;
  const masterPath = join(dir, `master-${masters}.wav`);
  const base = { items, normalizeLevels: false, crossfadeMs: 0, scratchDir: dir, masterPath };
  const report = await concatenate({ ...base, ...options });
  return { report, master: await readMaster(masterPath), masterPath };
}
