/**
 * Decoding what clients send (voice-conversion sources: stored inputs, uploads, downloads) to the server's one
 * in-memory audio type, mono float PCM, with ffmpeg: any format it reads, resampled when asked.
 */
import type { MonoPcm } from "../domain/audio.js";
import { invalidAudio } from "./audio-errors.js";
import { fileUrl, runFfmpeg, type FfmpegCommonOptions } from "./ffmpeg-run.js";
import { MonoWavReader } from "./wav-reader.js";

/** Options of {@link decodeToPcm}. */
export interface DecodeOptions extends FfmpegCommonOptions {
  /** Resample to this rate; by default the source's own rate is kept. */
  sampleRate?: number;
  /** Most bytes of decoded mono float samples to hold (default 1 GiB, about three hours at 24 kHz). */
  maxBytes?: number;
  /**
   * Whether a client sent the input (default true): undecodable data is then the client's fault (400
   * `INVALID_AUDIO`). False for the server's own files, where every failure is an AudioToolError.
   */
  clientInput?: boolean;
}

const DEFAULT_MAX_BYTES = 1 << 30;

/**
 * Decodes a file (path) or a whole file in memory (Buffer) to mono float PCM; channels are averaged.
 * In-memory input is piped to ffmpeg, so an MP4/M4A with its index at the end may only decode from a path.
 * @throws BadRequestError `INVALID_AUDIO` when client input is not decodable audio or holds no samples;
 *   AudioToolError when ffmpeg is missing or fails otherwise (a missing file included);
 *   PayloadTooLargeError past `maxBytes`; RangeError for a bad `sampleRate`; the abort reason when `signal` aborts.
 */
export async function decodeToPcm(input: string | Buffer, options: DecodeOptions = {}): Promise<MonoPcm> {
  const { sampleRate, maxBytes = DEFAULT_MAX_BYTES, clientInput = true, ffmpegPath, signal } = options;
  if (sampleRate !== undefined && (!Number.isInteger(sampleRate) || sampleRate <= 0)) {
    throw new RangeError(`sampleRate must be a positive integer, got ${sampleRate}`);
  }
  const fromMemory = typeof input !== "string";
  const reader = new MonoWavReader(Math.floor(maxBytes / 4));
  await runFfmpeg({
    ...(ffmpegPath !== undefined ? { ffmpegPath } : {}),
    ...(signal !== undefined ? { signal } : {}),
    args: [
      ...["-i", fromMemory ? "pipe:0" : fileUrl(input), "-map", "0:a:0", "-vn"],
      ...(sampleRate !== undefined ? ["-ar", String(sampleRate)] : []),
      // WAV carries the rate and channel count to the reader, which averages the channels itself: ffmpeg's
      // own downmix (-ac 1) weights channels unequally for surround layouts and drops LFE.
      ...["-c:a", "pcm_f32le", "-f", "wav", "pipe:1"],
    ],
    action: "decode audio",
    clientInput,
    onStdout: (chunk) => reader.push(chunk),
    ...(fromMemory ? { input } : {}),
  });
  const pcm = reader.finish();
  if (clientInput && pcm.samples.length === 0) throw invalidAudio("Could not decode audio: it holds no samples");
  return pcm;
}
