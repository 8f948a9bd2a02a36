/**
 * What ffprobe says about an exported file as a whole: container, codec profile and brand besides the stream
 * facts of ffprobe.ts, plus readers for the two container details ffprobe does not show (the rate an Ogg Opus
 * file was encoded from, and the order of an MP4 file's top-level boxes).
 */
import { execa } from "execa";
import { ffprobeJson } from "./ffprobe.js";

export interface ProbedFile {
  /** ffprobe's format name, e.g. "wav", "ogg", "mov,mp4,m4a,3gp,3g2,mj2". */
  container: string;
  codecName: string;
  /** Codec profile, e.g. "LC" for AAC; undefined when the codec has none. */
  profile: string | undefined;
  sampleRate: number;
  channels: number;
  /** Bits per coded sample (PCM codecs); 0 for compressed ones. */
  bitsPerSample: number;
  durationSeconds: number;
  /** The stream's bitrate, else the container's (Ogg reports only the latter). */
  bitRate: number;
  /** MP4 major brand, e.g. "M4A ". */
  majorBrand: string | undefined;
}

export async function probeFile(path: string): Promise<ProbedFile> {
  const { stream, format } = await ffprobeJson(
    `file:${path}`,
    "stream=codec_name,profile,sample_rate,channels,bits_per_sample,bit_rate,duration" +
      ":format=format_name,duration,bit_rate:format_tags=major_brand",
  );
  return {
    container: String(format.format_name),
    codecName: String(stream["codec_name"]),
    profile: stream["profile"] === undefined ? undefined : String(stream["profile"]),
    sampleRate: Number(stream["sample_rate"]),
    channels: Number(stream["channels"]),
    bitsPerSample: Number(stream["bits_per_sample"] ?? 0),
    durationSeconds: Number(stream["duration"] ?? format.duration),
    bitRate: Number(stream["bit_rate"] ?? format.bit_rate),
    majorBrand: format.tags?.["major_brand"],
  };
}

/**
 * The input sample rate recorded in an Ogg Opus file's OpusHead packet (RFC 7845 §5.1). Opus always decodes
 * at 48 kHz, so this is where the rate the file was made from is kept.
 */
export function opusHeadInputRate(file: Buffer): number {
  const at = file.indexOf("OpusHead", 0, "latin1");
  if (at < 0) throw new Error("no OpusHead packet");
  return file.readUInt32LE(at + 12);
}

/** The types of an MP4 file's top-level boxes, in file order ("ftyp", "moov", "mdat", …). */
export function topLevelBoxes(file: Buffer): string[] {
  const boxes: string[] = [];
  for (let offset = 0; offset + 8 <= file.length;) {
    let size = file.readUInt32BE(offset);
    boxes.push(file.toString("latin1", offset + 4, offset + 8));
    if (size === 1) size = Number(file.readBigUInt64BE(offset + 8));
    if (size < 8) break; // 0: the box runs to the end of the file
    offset += size;
  }
  return boxes;
}

interface ProbedChapter {
  start_time: string;
  tags?: { title?: string };
}

/** The chapters ffprobe reads from `path`: title and start time. */
export async function probeChapters(path: string): Promise<Array<{ title: string | undefined; startSeconds: number }>> {
  const { stdout } = await execa("ffprobe", ["-v", "error", "-show_chapters", "-of", "json", `file:${path}`], {
    stdin: "ignore",
  });
  const { chapters } = JSON.parse(stdout) as { chapters: ProbedChapter[] };
  return chapters.map((c) => ({ title: c.tags?.title, startSeconds: Number(c.start_time) }));
}
