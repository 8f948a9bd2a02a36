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

export async function probeAudio(input: AudioInput): Promise<ProbedStream> {
  const { arg, options } = inputArgs(input);
  const { stdout } = await execa(
    "ffprobe",
    [
      "-v",
      "error",
      "-select_streams",
      "a:0",
      "-print_format",
      "json",
      "-show_entries",
      "stream=codec_name,sample_rate,channels,sample_fmt,bit_rate,duration:format=duration",
      arg,
    ],
    options,
  );
  const parsed = JSON.parse(stdout) as {
    streams: Array<Record<string, string | number | undefined>>;
    format: { duration?: string };
  };
  const stream = parsed.streams[0];
  if (stream === undefined)
    throw new Error(`ffprobe found no audio stream in ${typeof input === "string" ? input : "the bytes"}`);
  const duration = stream["duration"] ?? parsed.format.duration;
  return {
    codecName: String(stream["codec_name"]),
    sampleRate: Number(stream["sample_rate"]),
    channels: Number(stream["channels"]),
    sampleFmt: String(stream["sample_fmt"]),
    durationSeconds: duration === undefined ? undefined : Number(duration),
    bitRate: stream["bit_rate"] === undefined ? undefined : Number(stream["bit_rate"]),
  };
}
