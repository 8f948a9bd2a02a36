/**
 * ffmpeg encoders for every export format, each reading the server's master WAV (mono 32-bit float) and
 * keeping its sample rate and channel count. Paths are passed with the `file:` protocol so a name like
 * `http://…` or `concat:…` is never read as a URL or a special ffmpeg protocol.
 */
import { rm } from "node:fs/promises";
import type { ExportFormat, WavSampleFormat } from "../domain/tts-fields.js";
import { fileUrl, runFfmpeg, type FfmpegCommonOptions } from "./ffmpeg-run.js";

/** Bitrates of the lossy formats (config `audio`). */
export interface EncoderSettings {
  /** LAME caps it at what the sample rate allows: 160 kbps at 24 kHz (MPEG-2 Layer III), 320 at 32 kHz and up. */
  mp3BitrateKbps: number;
  opusBitrateKbps: number;
  /** ffmpeg's AAC encoder caps it at 6144 bits per frame and channel: 144 kbps for 24 kHz mono. */
  aacBitrateKbps: number;
}

/** Options of {@link encodeFile}. */
export interface EncodeFileOptions extends FfmpegCommonOptions {
  inputPath: string;
  /** Sample rate of the input: Opus needs to know whether it must resample. */
  inputSampleRate: number;
  /** Only this part of the input (a chapter of a book); the whole input when unset. */
  inputRange?: { startSeconds: number; endSeconds: number };
  /** Overwritten if it exists; removed again if encoding fails or is aborted. */
  outputPath: string;
  format: ExportFormat;
  /** Sample encoding of `wav` output (default f32); the other formats ignore it. */
  wavSampleFormat?: WavSampleFormat;
  settings: EncoderSettings;
}

/**
 * The file extension of each format. Ogg Opus is `.opus` (what clients and file-type call it, RFC 7845); AAC is
 * written in an MP4 container, so `.m4a`; raw samples are `.pcm`.
 */
export const EXPORT_EXTENSIONS: Readonly<Record<ExportFormat, string>> = {
  wav: "wav",
  mp3: "mp3",
  flac: "flac",
  opus: "opus",
  aac: "m4a",
  pcm: "pcm",
};

const WAV_CODECS: Readonly<Record<WavSampleFormat, string>> = {
  f32: "pcm_f32le",
  s16: "pcm_s16le",
  s24: "pcm_s24le",
};

/** The only rates libopus encodes at. */
const OPUS_RATES = [8000, 12000, 16000, 24000, 48000] as const;

/**
 * Encodes an audio file (our master WAV) to `format`, keeping its sample rate and channel count (Opus excepted
 * for rates it cannot take, see {@link opusRate}).
 * @throws AudioToolError when ffmpeg is missing or fails (also for an unreadable input: it is the server's own
 *   file); the abort reason when `signal` aborts. Either way no output file is left behind.
 */
export async function encodeFile(options: EncodeFileOptions): Promise<void> {
  const { inputPath, outputPath, format } = options;
  const range = options.inputRange;
  // Before -i, the cut is made while reading: exact to the sample for our PCM WAV masters.
  const cut = range ? ["-ss", String(range.startSeconds), "-to", String(range.endSeconds)] : [];
  const args = [
    "-y",
    ...cut,
    "-i",
    fileUrl(inputPath),
    "-map",
    "0:a:0",
    "-vn",
    ...codecArgs(options),
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

/** Codec, its settings and the muxer (named, so the output name's extension never decides). */
function codecArgs(options: EncodeFileOptions): string[] {
  const { format, inputSampleRate, settings } = options;
  switch (format) {
    case "wav":
      return ["-c:a", WAV_CODECS[options.wavSampleFormat ?? "f32"], "-f", "wav"];
    case "mp3":
    case "flac":
    case "opus":
      // Each muxer is named like its format; `opus` is Ogg with the Opus mapping (OpusHead records the input rate).
      return [...compressedCodecArgs(format, inputSampleRate, settings), "-f", format];
    case "aac":
      // AAC-LC in an M4A (`ipod` muxer: brand M4A); faststart puts the index first so playback can begin
      // before the download ends.
      return [...compressedCodecArgs(format, inputSampleRate, settings), "-movflags", "+faststart", "-f", "ipod"];
    case "pcm":
      return ["-c:a", "pcm_s16le", "-f", "s16le"];
  }
}

/** The formats ffmpeg compresses; files and streams give them the same codec and bitrate. */
export type CompressedFormat = Extract<ExportFormat, "mp3" | "opus" | "aac" | "flac">;

/**
 * Codec and bitrate of a compressed format, without the muxer: files and streams use different containers
 * (AAC is M4A in a file, ADTS in a stream). Opus audio at a rate it cannot take is resampled (see {@link opusRate}).
 */
export function compressedCodecArgs(format: CompressedFormat, sampleRate: number, settings: EncoderSettings): string[] {
  switch (format) {
    case "mp3":
      return ["-c:a", "libmp3lame", "-b:a", `${settings.mp3BitrateKbps}k`];
    case "flac":
      return ["-c:a", "flac"];
    case "opus": {
      const rate = opusRate(sampleRate);
      const resample = rate === sampleRate ? [] : ["-ar", String(rate)];
      return ["-c:a", "libopus", "-b:a", `${settings.opusBitrateKbps}k`, ...resample];
    }
    case "aac":
      return ["-c:a", "aac", "-b:a", `${settings.aacBitrateKbps}k`];
  }
}

/**
 * The rate an Opus file of `sampleRate` audio is encoded at. Opus only takes 8, 12, 16, 24 and 48 kHz, so
 * other rates (22.05 kHz from some engines, 44.1 kHz) are resampled up to the next one it takes: no band is lost.
 * The engines' usual 24 kHz is kept as it is.
 */
export function opusRate(sampleRate: number): number {
  return OPUS_RATES.find((rate) => rate >= sampleRate) ?? 48000;
}
