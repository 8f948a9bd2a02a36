/**
 * Runs ffmpeg once and turns every way it can fail into a domain error: not installed, cancelled, or failed.
 * ffmpeg only ever reads files the server wrote itself, so a failure is never the client's fault.
 */
import { execa } from "execa";
import { AudioToolError } from "./audio-errors.js";

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
  /** What ffmpeg was asked to do, for messages: "encode mp3". */
  action: string;
}

const STDERR_TAIL_LINES = 8;

/**
 * Runs ffmpeg with `args` (which name its output file) and resolves when it succeeds.
 * @throws AudioToolError `FFMPEG_NOT_FOUND` / `AUDIO_TOOL_FAILED`, or the abort signal's reason.
 */
export async function runFfmpeg(run: FfmpegRun): Promise<void> {
  const executable = run.ffmpegPath ?? "ffmpeg";
  const result = await execa(executable, ["-hide_banner", "-nostdin", "-v", "error", ...run.args], {
    reject: false,
    stdin: "ignore",
    stdout: "ignore",
    forceKillAfterDelay: 2000,
    ...(run.signal !== undefined ? { cancelSignal: run.signal } : {}),
  });
  if (!result.failed) return;
  if (result.isCanceled && run.signal?.aborted) throw run.signal.reason;
  if (result.code === "ENOENT" || result.code === "EACCES") {
    throw new AudioToolError(
      `ffmpeg is not installed or not executable (${executable}); install ffmpeg ` +
        "(e.g. `apt-get install ffmpeg`) and run `npm install` again",
      "FFMPEG_NOT_FOUND",
    );
  }
  const lines = result.stderr
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== "");
  const last = lines[lines.length - 1] ?? "no error output";
  throw new AudioToolError(
    `ffmpeg failed to ${run.action} (exit code ${result.exitCode ?? "none"}): ${last}`,
    "AUDIO_TOOL_FAILED",
    lines.slice(-STDERR_TAIL_LINES).join("\n"),
  );
}
