/**
 * ffprobe: what an audio file really holds (codec, duration, sample rate), read by the tool that also
 * decodes it, so a file it accepts is one the server can process.
 */
import { execa } from "execa";
import { AudioToolError } from "./audio-errors.js";

export interface ProbedAudio {
  codec: string;
  /** Container names as ffprobe gives them, e.g. "wav" or "mov,mp4,m4a,3gp,3g2,mj2". */
  container: string;
  durationSeconds: number;
  sampleRate: number;
  channels: number;
}

/** The file is not audio ffprobe can read; `reason` says why, in words for the client. */
export class NotAudioError extends Error {
  constructor(readonly reason: string) {
    super(reason);
  }
}

interface ProbeJson {
  streams?: Array<{ codec_name?: string; sample_rate?: string; channels?: number; duration?: string }>;
  format?: { format_name?: string; duration?: string };
}

const PROBE_TIMEOUT_MS = 30_000;

/**
 * Probes the first audio stream of `path`.
 * @throws NotAudioError when the file is unreadable or has no audio stream; AudioToolError when ffprobe is
 *   missing or hangs.
 */
export async function probeAudio(path: string): Promise<ProbedAudio> {
  const result = await execa(
    "ffprobe",
    [
      "-v",
      "error",
      "-select_streams",
      "a:0",
      "-print_format",
      "json",
      "-show_entries",
      "stream=codec_name,sample_rate,channels,duration:format=format_name,duration",
      `file:${path}`,
    ],
    { reject: false, timeout: PROBE_TIMEOUT_MS, stdin: "ignore" },
  );
  if (result.code === "ENOENT") {
    throw new AudioToolError(
      "ffprobe is not installed (it comes with ffmpeg); run `npm install` again",
      "FFMPEG_NOT_FOUND",
    );
  }
  if (result.timedOut) throw new AudioToolError("ffprobe did not answer in time", "AUDIO_TOOL_FAILED");
  if (result.failed) throw new NotAudioError(`it is not a readable audio file (${lastLine(result.stderr, path)})`);
  return describe(JSON.parse(result.stdout) as ProbeJson);
}

function describe(json: ProbeJson): ProbedAudio {
  const stream = json.streams?.[0];
  if (!stream) throw new NotAudioError("it contains no audio stream");
  const durationSeconds = Number(stream.duration ?? json.format?.duration);
  const sampleRate = Number(stream.sample_rate);
  if (!(durationSeconds > 0)) throw new NotAudioError("its audio stream has no length");
  if (!(sampleRate > 0)) throw new NotAudioError("its audio stream has no sample rate");
  return {
    codec: stream.codec_name ?? "unknown",
    container: json.format?.format_name ?? "unknown",
    durationSeconds,
    sampleRate,
    channels: stream.channels ?? 1,
  };
}

/** ffprobe's last complaint, without the server path it starts with. */
function lastLine(stderr: string, path: string): string {
  const lines = stderr.split(/\r?\n/).filter((line) => line.trim() !== "");
  return (lines.at(-1) ?? "unknown format").replaceAll(`file:${path}: `, "").replaceAll(path, "<file>");
}
