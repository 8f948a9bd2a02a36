/** Asks ffprobe what a file really is, so audio tests judge our output by an independent reader. */
import { execa } from "execa";

/** A file on disk (its path) or a whole file held in memory. */
export type AudioInput = string | Buffer;

/** The facts of a file's first audio stream. */
export interface ProbedStream {
  codecName: string;
  sampleRate: number;
  channels: number;
  sampleFmt: string;
  /** Absent when ffprobe cannot tell (e.g. an empty WAV). */
  durationSeconds: number | undefined;
  bitRate: number | undefined;
}

/** The ffmpeg/ffprobe input argument and the execa options that feed it: in-memory bytes go through stdin. */
export function inputArgs(input: AudioInput): { arg: string; options: { input: Buffer } | { stdin: "ignore" } } {
  return typeof input === "string"
    ? { arg: input, options: { stdin: "ignore" } }
    : { arg: "pipe:0", options: { input } };
}

/** ffprobe's JSON for the first audio stream and the container. */
export interface ProbeJson {
  stream: Record<string, string | number | undefined>;
  format: { format_name?: string; duration?: string; bit_rate?: string; tags?: Record<string, string> };
}

/** Runs ffprobe for `entries` (its -show_entries syntax) of the first audio stream; throws when there is none. */
export async function ffprobeJson(input: AudioInput, entries: string): Promise<ProbeJson> {
  const { arg, options } = inputArgs(input);
  const args = ["-v", "error", "-select_streams", "a:0", "-print_format", "json", "-show_entries", entries, arg];
  const { stdout } = await execa("ffprobe", args, options);
  const parsed = JSON.parse(stdout) as { streams: ProbeJson["stream"][]; format: ProbeJson["format"] };
  const stream = parsed.streams[0];
  if (stream === undefined) {
    throw new Error(`ffprobe found no audio stream in ${typeof input === "string" ? input : "the bytes"}`);
  }
  return { stream, format: parsed.format };
}

export async function probeAudio(input: AudioInput): Promise<ProbedStream> {
  const { stream, format } = await ffprobeJson(
    input,
    "stream=codec_name,sample_rate,channels,sample_fmt,bit_rate,duration:format=duration",
  );
  const duration = stream["duration"] ?? format.duration;
  return {
    codecName: String(stream["codec_name"]),
    sampleRate: Number(stream["sample_rate"]),
    channels: Number(stream["channels"]),
    sampleFmt: String(stream["sample_fmt"]),
    durationSeconds: duration === undefined ? undefined : Number(duration),
    bitRate: stream["bit_rate"] === undefined ? undefined : Number(stream["bit_rate"]),
  };
}
