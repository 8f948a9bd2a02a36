/** Asks ffprobe what a file really is, so audio tests judge our output by an independent reader. */
import { execa } from "execa";

/** The facts of a file's first audio stream. */
export interface ProbedStream {
  codecName: string;
  sampleRate: number;
  channels: number;
  sampleFmt: string;
  durationSeconds: number;
  bitRate: number | undefined;
}

export async function probeAudio(path: string): Promise<ProbedStream> {
  const { stdout } = await execa("ffprobe", [
    "-v", "error", "-select_streams", "a:0", "-print_format", "json",
    "-show_entries", "stream=codec_name,sample_rate,channels,sample_fmt,bit_rate,duration:format=duration",
    path,
  ]);
  const parsed = JSON.parse(stdout) as {
    streams: Array<Record<string, string | number | undefined>>;
    format: { duration?: string };
  };
  const stream = parsed.streams[0];
  if (stream === undefined) throw new Error(`ffprobe found no audio stream in ${path}`);
  return {
    codecName: String(stream["codec_name"]),
    sampleRate: Number(stream["sample_rate"]),
    channels: Number(stream["channels"]),
    sampleFmt: String(stream["sample_fmt"]),
    durationSeconds: Number(stream["duration"] ?? parsed.format.duration),
    bitRate: stream["bit_rate"] === undefined ? undefined : Number(stream["bit_rate"]),
  };
}
