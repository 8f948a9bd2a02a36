/**
 * Runs ffmpeg once and turns every way it can fail into a domain error: not installed, cancelled, output too
 * large, unreadable input (the client's fault) or any other failure (ours).
 */
import { execa } from "execa";
import { PayloadTooLargeError } from "../domain/errors.js";
import { AudioToolError, invalidAudio } from "./audio-errors.js";

/** Options shared by the ffmpeg helpers. */
export interface FfmpegCommonOptions {
  /** The ffmpeg executable; defaults to `ffmpeg` on PATH. */
  ffmpegPath?: string;
  /** Aborting kills ffmpeg (SIGTERM, then SIGKILL after 2 s) and rejects with the signal's reason. */
  signal?: AbortSignal;
}

/** One ffmpeg invocation. */
export interface FfmpegRun extends FfmpegCommonOptions {
  args: string[];
  /** Bytes fed to stdin (the input is then `pipe:0`). */
  input?: Buffer;
  /** Most stdout bytes kept (default 1 GiB); more fails with PayloadTooLargeError. */
  maxOutputBytes?: number;
  /** What ffmpeg was asked to do, for messages: "decode audio", "encode mp3". */
  action: string;
  /**
   * True when the input came from a client, so unreadable data is the client's fault (400 INVALID_AUDIO).
   * Otherwise every failure is ours (AudioToolError).
   */
  clientInput: boolean;
}

/** stderr lines that mean the input itself is not decodable audio. */
const BAD_INPUT_PATTERNS: ReadonlyArray<[RegExp, string]> = [
  [/Invalid data found when processing input/i, "the data is not a recognised audio format"],
  [/could not find codec parameters|Failed to read frame size|Format \S+ detected only with low score/i,
    "the audio stream could not be read"],
  [/matches no streams|does not contain any stream/i, "the file contains no audio stream"],
  [/moov atom not found/i, "the file is incomplete or needs to be read from a file, not a stream"],
];

const STDERR_TAIL_LINES = 8;
/** 1 GiB: about three hours of mono 24 kHz float audio. */
const DEFAULT_MAX_OUTPUT_BYTES = 1 << 30;

/**
 * Runs ffmpeg with `args` and resolves to its stdout bytes.
 * @throws AudioToolError `FFMPEG_NOT_FOUND` / `AUDIO_TOOL_FAILED`, BadRequestError `INVALID_AUDIO`,
 *   PayloadTooLargeError, or the abort signal's reason.
 */
export async function runFfmpeg(run: FfmpegRun): Promise<Buffer> {
  const executable = run.ffmpegPath ?? "ffmpeg";
  const maxOutputBytes = run.maxOutputBytes ?? DEFAULT_MAX_OUTPUT_BYTES;
  const result = await execa(executable, ["-hide_banner", "-nostdin", "-v", "error", ...run.args], {
    encoding: "buffer",
    reject: false,
    ...(run.input !== undefined ? { input: run.input } : { stdin: "ignore" as const }),
    maxBuffer: { stdout: maxOutputBytes },
    forceKillAfterDelay: 2000,
    ...(run.signal !== undefined ? { cancelSignal: run.signal } : {}),
  });
  if (!result.failed) return toBuffer(result.stdout);
  if (result.isCanceled && run.signal?.aborted) throw run.signal.reason;
  if (result.code === "ENOENT" || result.code === "EACCES") {
    throw new AudioToolError(
      `ffmpeg is not installed or not executable (${executable}); install ffmpeg ` +
        "(e.g. `apt-get install ffmpeg`) and run `npm install` again",
      "FFMPEG_NOT_FOUND",
    );
  }
  if (result.isMaxBuffer) {
    throw new PayloadTooLargeError(`Decoded audio is larger than the ${maxOutputBytes}-byte limit`);
  }
  throw failureError(run, result.exitCode, new TextDecoder().decode(result.stderr));
}

function failureError(run: FfmpegRun, exitCode: number | undefined, stderr: string): Error {
  const lines = stderr.split(/\r?\n/).map((l) => l.trim()).filter((l) => l !== "");
  const tail = lines.slice(-STDERR_TAIL_LINES).join("\n");
  if (run.clientInput) {
    for (const [pattern, reason] of BAD_INPUT_PATTERNS) {
      if (pattern.test(stderr)) return invalidAudio(`Could not ${run.action}: ${reason}`);
    }
  }
  const last = lines[lines.length - 1] ?? "no error output";
  return new AudioToolError(`ffmpeg failed to ${run.action} (exit code ${exitCode ?? "none"}): ${last}`,
    "AUDIO_TOOL_FAILED", tail);
}

function toBuffer(bytes: Uint8Array): Buffer {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}
