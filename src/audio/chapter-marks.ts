/**
 * Audiobook files with chapters: the master WAV encoded to M4B (AAC in MP4) or MP3, with chapter marks that
 * players show as a table of contents. ffmpeg takes the marks from an FFMETADATA file given as a second input.
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileUrl, runFfmpeg, type FfmpegCommonOptions } from "./ffmpeg-run.js";

/** One chapter's title and where it sits in the audio. */
export interface ChapterMark {
  title: string;
  startSeconds: number;
  endSeconds: number;
}

/** Options of {@link writeChapteredAudio}. */
export interface ChapteredAudioOptions extends FfmpegCommonOptions {
  /** The master WAV. */
  masterPath: string;
  marks: readonly ChapterMark[];
  /** Overwritten if it exists; removed again if writing fails or is aborted. */
  outPath: string;
  /** `m4b`: AAC in an MP4 container; `mp3`: MP3 with ID3v2.3 chapter frames. */
  format: "m4b" | "mp3";
  /** Defaults to 64 kbps: plenty for mono speech, and within what AAC and LAME allow at 24 kHz. */
  bitrateKbps?: number;
}

const DEFAULT_BITRATE_KBPS = 64;

/** Characters ffmpeg's metadata format reads as syntax; a backslash before each makes it literal. */
const FFMETADATA_SPECIAL = /[=;#\\\n]/gu;

/**
 * The marks as an FFMETADATA1 file: one `[CHAPTER]` block each, times in milliseconds (TIMEBASE=1/1000).
 * @throws RangeError for a time that is negative or not finite, or a mark that ends before it starts.
 */
export function ffmetadata(marks: readonly ChapterMark[]): string {
  return [";FFMETADATA1", ...marks.map(chapterBlock)].join("\n") + "\n";
}

/**
 * Encodes the master WAV to `outPath` as `format` with `marks` as its chapters. The metadata file lives in a
 * temporary folder that is removed afterwards, so nothing but the audiobook appears next to `outPath`.
 * @throws RangeError for invalid marks (see {@link ffmetadata}); AudioToolError when ffmpeg is missing or fails;
 *   the abort reason when `signal` aborts. On failure no output file is left behind.
 */
export async function writeChapteredAudio(options: ChapteredAudioOptions): Promise<void> {
  const metadata = ffmetadata(options.marks);
  const dir = await mkdtemp(join(tmpdir(), "chapter-marks-"));
  try {
    const metadataPath = join(dir, "chapters.txt");
    await writeFile(metadataPath, metadata, "utf8");
    await encodeWithChapters(options, metadataPath);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** One mark's `[CHAPTER]` block. Rounding is monotonic, so an end at or after the start stays there. */
function chapterBlock(mark: ChapterMark): string {
  const startMs = milliseconds(mark.startSeconds);
  const endMs = milliseconds(mark.endSeconds);
  if (mark.endSeconds < mark.startSeconds) {
    throw new RangeError(`Chapter "${mark.title}" ends before it starts: ${mark.startSeconds}–${mark.endSeconds}`);
  }
  return [
    "[CHAPTER]",
    "TIMEBASE=1/1000",
    `START=${startMs}`,
    `END=${endMs}`,
    `title=${escapeMetadata(mark.title)}`,
  ].join("\n");
}

function milliseconds(seconds: number): number {
  if (!Number.isFinite(seconds) || seconds < 0) {
    throw new RangeError(`Chapter times must be finite and non-negative, got ${seconds}`);
  }
  return Math.round(seconds * 1000);
}

function escapeMetadata(value: string): string {
  return value.replace(FFMETADATA_SPECIAL, "\\$&");
}

/** Runs ffmpeg: audio from the master (input 0), chapters from the metadata file (input 1). */
async function encodeWithChapters(options: ChapteredAudioOptions, metadataPath: string): Promise<void> {
  const { masterPath, outPath, format } = options;
  const args = [
    "-y",
    "-i",
    fileUrl(masterPath),
    // Named, so a metadata file is never probed as something else.
    "-f",
    "ffmetadata",
    "-i",
    fileUrl(metadataPath),
    "-map",
    "0:a:0",
    "-map_chapters",
    "1",
    ...formatArgs(format, options.bitrateKbps ?? DEFAULT_BITRATE_KBPS),
    fileUrl(outPath),
  ];
  try {
    await runFfmpeg({ ...options, args, action: `write chaptered ${format}` });
  } catch (error) {
    // A half-written file would look like a finished audiobook.
    await rm(outPath, { force: true });
    throw error;
  }
}

/** Codec and muxer (named, so the output name's extension never decides). */
function formatArgs(format: ChapteredAudioOptions["format"], bitrateKbps: number): string[] {
  const bitrate = ["-b:a", `${bitrateKbps}k`];
  switch (format) {
    case "m4b":
      // faststart puts the index (and the chapter list) first, so players can show chapters before the download ends.
      return ["-c:a", "aac", ...bitrate, "-movflags", "+faststart", "-f", "mp4"];
    case "mp3":
      // ID3v2.3 is the version players read CHAP frames from most widely (ffmpeg's default is 2.4).
      return ["-c:a", "libmp3lame", ...bitrate, "-id3v2_version", "3", "-f", "mp3"];
  }
}
