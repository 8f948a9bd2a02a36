/**
 * ffmpeg for what pure TypeScript should not do: encoding the server's WAV output to MP3 and FLAC.
 * Paths are passed with the `file:` protocol so a name like `http://…` or `concat:…` is never read as a URL
 * or a special ffmpeg protocol.
 */
import { rm } from "node:fs/promises";
import { runFfmpeg, type FfmpegCommonOptions } from "./ffmpeg-run.js";

/** Formats {@link encodeFile} writes. */
export type EncodeFormat = "mp3" | "flac";

/** Options of {@link encodeFile}. */
export interface EncodeFileOptions extends FfmpegCommonOptions {
  inputPath: string;
  /** Overwritten if it exists; removed again if encoding fails or is aborted. */
  outputPath: string;
  format: EncodeFormat;
}

/**
 * MP3 bitrate, as in the Python server. LAME caps it at what the sample rate allows (160 kbps for 24 kHz
 * audio, which is MPEG-2 Layer III), as it did there.
 */
const MP3_BITRATE = "320k";

const CODEC_ARGS: Record<EncodeFormat, string[]> = {
  mp3: ["-c:a", "libmp3lame", "-b:a", MP3_BITRATE],
  flac: ["-c:a", "flac"],
};

/**
 * Encodes an audio file (typically our WAV) to `format`, keeping its sample rate and channel count.
 * @throws AudioToolError when ffmpeg is missing or fails (also for an unreadable input: it is the server's
 *   own file); the abort reason when `signal` aborts.
 */
export async function encodeFile(options: EncodeFileOptions): Promise<void> {
  const { inputPath, outputPath, format } = options;
  const args = [
    "-y",
    "-i",
    fileUrl(inputPath),
    "-map",
    "0:a:0",
    "-vn",
    ...CODEC_ARGS[format],
    "-f",
    format,
    fileUrl(outputPath),
  ];
  try {
    await runFfmpeg({ ...options, args, action: `encode ${format}` });
  } catch (error) {
    // A half-written file would look like a valid output to listings and players.
    await rm(outputPath, { force: true });
    throw error;
  }
}

function fileUrl(path: string): string {
  return `file:${path}`;
}
