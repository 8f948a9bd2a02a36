/**
 * Runs ffmpeg once and turns every way it can fail into a domain error: not installed, cancelled, unreadable
 * client input (the client's fault), or any other failure (ours). Output goes to a file named in the
 * arguments, or to stdout, handed over chunk by chunk so nothing large is buffered twice.
 */
import { execa, type Result } from "execa";
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
  /** What ffmpeg was asked to do, for messages: "encode mp3", "decode audio". */
  action: string;
  /** Bytes fed to ffmpeg's stdin (the arguments then read `pipe:0`). */
  input?: Uint8Array;
  /**
   * Receives stdout as it arrives (the arguments then write `pipe:1`). If it throws, ffmpeg is stopped and the
   * run rejects with that error.
   */
  onStdout?: (chunk: Buffer) => void;
  /**
   * The input came from a client, so data ffmpeg cannot read is the client's fault (400 `INVALID_AUDIO`).
   * Otherwise every failure is ours (AudioToolError).
   */
  clientInput?: boolean;
  /** ffmpeg's log level: `error` (default), or `info` for filters that print their results there (meters). */
  logLevel?: "error" | "info";
}

/** stderr lines that mean the input itself is not decodable audio, with words for the client. */
const BAD_INPUT_PATTERNS: ReadonlyArray<readonly [RegExp, string]> = [
  [/Invalid data found when processing input/i, "the data is not a recognised audio format"],
  [
    /could not find codec parameters|Failed to read frame size|detected only with low score/i,
    "its audio stream could not be read",
  ],
  [/Decoder \(codec [^)]*\) not found|Unsupported codec/i, "its audio codec is not supported"],
  [/matches no streams|does not contain any stream/i, "it contains no audio stream"],
  [/moov atom not found/i, "the file is incomplete (its MP4 index is missing)"],
];

const STDERR_TAIL_LINES = 8;

/** ffmpeg reads local files only: the `file:` protocol keeps `http://…` or `concat:…` names from being URLs. */
export function fileUrl(path: string): string {
  return `file:${path}`;
}

/**
 * Runs ffmpeg with `args` and resolves with its log (stderr) when it succeeds.
 * @throws AudioToolError `FFMPEG_NOT_FOUND` / `AUDIO_TOOL_FAILED`, BadRequestError `INVALID_AUDIO` (only with
 *   `clientInput`), whatever `onStdout` threw, or the abort signal's reason.
 */
export async function runFfmpeg(run: FfmpegRun): Promise<string> {
  const subprocess = execa(run.ffmpegPath ?? "ffmpeg", ffmpegArgs(run.args, run.logLevel), {
    reject: false,
    ...(run.input !== undefined ? { input: run.input } : { stdin: "ignore" as const }),
    stdout: run.onStdout !== undefined ? "pipe" : "ignore",
    buffer: { stdout: false },
    forceKillAfterDelay: 2000,
    ...(run.signal !== undefined ? { cancelSignal: run.signal } : {}),
  });
  let consumerFailure: { error: unknown } | undefined;
  subprocess.stdout?.on("data", (chunk: Buffer) => {
    if (consumerFailure !== undefined) return;
    try {
      run.onStdout?.(chunk);
    } catch (error) {
      consumerFailure = { error };
      subprocess.kill();
    }
  });
  const result = await subprocess;
  if (result.isCanceled && run.signal?.aborted) throw run.signal.reason;
  if (consumerFailure !== undefined) throw consumerFailure.error;
  if (result.failed) throw failureError(run, result);
  return typeof result.stderr === "string" ? result.stderr : "";
}

/** ffmpeg's arguments: `args` after the options that keep its log to messages at `level`. */
export function ffmpegArgs(args: readonly string[], level: FfmpegRun["logLevel"] = "error"): string[] {
  // -nostats keeps progress lines out of the log at the info level.
  return ["-hide_banner", "-nostdin", "-nostats", "-v", level, ...args];
}

/** The domain error for a failed run (see {@link runFfmpeg}); `result` is execa's, taken with `reject: false`. */
export function failureError(run: Pick<FfmpegRun, "ffmpegPath" | "action" | "clientInput">, result: Result): Error {
  if (result.code === "ENOENT" || result.code === "EACCES") {
    return new AudioToolError(
      `ffmpeg is not installed or not executable (${run.ffmpegPath ?? "ffmpeg"}); install ffmpeg ` +
        "(e.g. `apt-get install ffmpeg`) and run `npm install` again",
      "FFMPEG_NOT_FOUND",
    );
  }
  const stderr = typeof result.stderr === "string" ? result.stderr : "";
  if (run.clientInput) {
    const bad = BAD_INPUT_PATTERNS.find(([pattern]) => pattern.test(stderr));
    // Fixed words, not ffmpeg's line: that names the server's path of the file.
    if (bad !== undefined) return invalidAudio(`Could not ${run.action}: ${bad[1]}`);
  }
  const lines = stderr
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== "");
  const last = lines[lines.length - 1] ?? "no error output";
  return new AudioToolError(
    `ffmpeg failed to ${run.action} (exit code ${result.exitCode ?? "none"}): ${last}`,
    "AUDIO_TOOL_FAILED",
    lines.slice(-STDERR_TAIL_LINES).join("\n"),
  );
}
