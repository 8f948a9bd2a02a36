/**
 * Reads audio files the way a listener's player would, with ffmpeg and ffprobe, so tests judge the server's
 * output by independent decoders rather than by code from src/.
 */
import { execa } from "execa";
import type { MonoPcm } from "../../src/domain/audio.js";
import { inputArgs, probeAudio, type AudioInput } from "./ffprobe.js";

/**
 * Decodes the first audio stream of a file (path or bytes) to float PCM at its own sample rate; several
 * channels are averaged to one.
 */
export async function decodeAudio(input: AudioInput): Promise<MonoPcm> {
  const { sampleRate, channels } = await probeAudio(input);
  const { arg, options } = inputArgs(input);
  const { stdout } = await execa(
    "ffmpeg",
    ["-v", "error", "-i", arg, "-map", "0:a:0", "-c:a", "pcm_f32le", "-f", "f32le", "pipe:1"],
    { ...options, encoding: "buffer" },
  );
  const view = new DataView(stdout.buffer, stdout.byteOffset, stdout.byteLength);
  const samples = new Float32Array(Math.floor(view.byteLength / (4 * channels)));
  for (let f = 0; f < samples.length; f++) {
    let sum = view.getFloat32(f * channels * 4, true);
    for (let c = 1; c < channels; c++) sum += view.getFloat32((f * channels + c) * 4, true);
    samples[f] = sum / channels;
  }
  return { sampleRate, samples };
}

/** Root-mean-square level in dBFS (a full-scale sine is -3 dBFS); `-Infinity` for silence or no samples. */
export function rmsDbfs(samples: Float32Array): number {
  let sum = 0;
  for (const x of samples) sum += x * x;
  return samples.length === 0 || sum === 0 ? -Infinity : 10 * Math.log10(sum / samples.length);
}

/** The very same samples (and as many). */
export const sameAudio = (a: MonoPcm, b: MonoPcm) =>
  Buffer.from(a.samples.buffer, a.samples.byteOffset, a.samples.byteLength).equals(
    Buffer.from(b.samples.buffer, b.samples.byteOffset, b.samples.byteLength),
  );
