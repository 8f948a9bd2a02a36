/**
 * ffmpeg for what pure TypeScript should not do: encoding MP3/FLAC and decoding any format clients send.
 * Paths are passed with the `file:` protocol so a name like `http://…` or `concat:…` is never read as a URL
 * or a special ffmpeg protocol.
 */
import { rm } from "node:fs/promises";
import type { MonoPcm } from "../domain/audio.js";
import { runFfmpeg, type FfmpegCommonOptions } from "./ffmpeg-run.js";
import { decodeWav } from "./wav.js";

export type { FfmpegCommonOptions } from "./ffmpeg-run.js";

/** Formats {@link encodeFile} writes. */
export type EncodeFormat = "mp3" | "flac" | "wav";

/** Options of {@link encodeFile}. */
export interface EncodeFileOptions extends FfmpegCommonOptions {
  inputPath: string;
  /** Overwritten if it exists; removed again if encoding fails or is aborted. */
  outputPath: string;
  format: EncodeFormat;
  /**
   * MP3 bitrate, default `320k` like the Python server. LAME caps it at what the sample rate allows
   * (160 kbps for 24 kHz audio, which is MPEG-2 Layer III), as it did there.
   */
  mp3Bitrate?: string;
  /** Sample encoding of WAV output, default 16-bit integer PCM. */
  wavSampleFormat?: "s16" | "f32";
}

/** Options of {@link decodeToPcm}. */
export interface DecodeOptions extends FfmpegCommonOptions {
  /** Resample to this rate; by default the source's own rate is kept. */
  sampleRate?: number;
  /** Most bytes of decoded float samples to hold in memory (default 1 GiB). */
  maxBytes?: number;
}

/**
 * Encodes an audio file (typically our WAV) to `format`, keeping its sample rate and channel count.
 * @throws AudioToolError when ffmpeg is missing or fails (also for an unreadable input: it is the server's
 *   own file); the abort reason when `signal` aborts.
 */
export async function encodeFile(options: EncodeFileOptions): Promise<void> {
  const { inputPath, outputPath, format } = options;
  const args = [
    "-y", "-i", fileUrl(inputPath), "-map", "0:a:0", "-vn",
    ...codecArgs(options), "-f", format, fileUrl(outputPath),
  ];
  try {
    // The input is a file the server wrote, so any failure is the server's, never the client's.
    await runFfmpeg({ ...options, args, action: `encode ${format}`, clientInput: false });
  } catch (error) {
    // A half-written file would look like a valid output to listings and players.
    await rm(outputPath, { force: true });
    throw error;
  }
}

function codecArgs(options: EncodeFileOptions): string[] {
  switch (options.format) {
    case "mp3":
      return ["-c:a", "libmp3lame", "-b:a", options.mp3Bitrate ?? "320k"];
    case "flac":
      return ["-c:a", "flac"];
    case "wav":
      return ["-c:a", options.wavSampleFormat === "f32" ? "pcm_f32le" : "pcm_s16le"];
  }
}

/**
 * Decodes a file path or in-memory file to mono float PCM (channels are averaged).
 * In-memory input is piped to ffmpeg, so formats that need seeking (MP4/M4A with the index at the end)
 * must be passed as a path.
 * @throws BadRequestError `INVALID_AUDIO` when the input is not decodable audio; AudioToolError when ffmpeg is
 *   missing or fails otherwise; PayloadTooLargeError past `maxBytes`; the abort reason when `signal` aborts.
 */
export async function decodeToPcm(input: string | Buffer, options: DecodeOptions = {}): Promise<MonoPcm> {
  const { sampleRate } = options;
  if (sampleRate !== undefined && (!Number.isInteger(sampleRate) || sampleRate <= 0)) {
    throw new RangeError(`sampleRate must be a positive integer, got ${sampleRate}`);
  }
  const fromMemory = typeof input !== "string";
  const args = [
    "-i", fromMemory ? "pipe:0" : fileUrl(input), "-map", "0:a:0", "-vn",
    ...(sampleRate !== undefined ? ["-ar", String(sampleRate)] : []),
    // A WAV stream carries the rate and channel count; decodeWav then averages channels to mono.
    "-c:a", "pcm_f32le", "-f", "wav", "pipe:1",
  ];
  const wav = await runFfmpeg({
    ...options,
    args,
    action: "decode audio",
    clientInput: true,
    ...(fromMemory ? { input } : {}),
    ...(options.maxBytes !== undefined ? { maxOutputBytes: options.maxBytes } : {}),
  });
  return decodeWav(wav);
}

function fileUrl(path: string): string {
  return `file:${path}`;
}
