/**
 * Re-emits the sidecar's stderr through our own pino stream (one log stream for the whole server): JSON lines
 * at their own level with their fields kept, anything else at warn because text on stderr is usually a
 * traceback or a crash message. Keeps the last lines for crash reports.
 */
import type { Readable } from "node:stream";
import type { Level } from "pino";
import type { Logger } from "../logging.js";
import { forEachLine } from "./line-splitter.js";

/** How many stderr lines a crash report carries. */
export const DEFAULT_TAIL_LINES = 50;
/** Lines kept in the tail are cut to this length: a tail is for humans, not for full dumps. */
const TAIL_LINE_CHARS = 2_000;

const LEVELS: Readonly<Record<string, Level>> = {
  trace: "trace",
  debug: "debug",
  info: "info",
  notice: "info",
  warn: "warn",
  warning: "warn",
  error: "error",
  exception: "error",
  fatal: "fatal",
  critical: "fatal",
};

/** Maps a sidecar level name (Python or pino spelling, any case) to a pino level; unknown → info. */
export function mapSidecarLevel(level: unknown): Level {
  return (typeof level === "string" && LEVELS[level.toLowerCase()]) || "info";
}

/** Sidecar fields whose names pino or our bindings already use; kept under another name, not lost. */
const RENAMED_FIELDS: Readonly<Record<string, string>> = {
  time: "sidecarTime",
  pid: "sidecarPid",
  hostname: "sidecarHostname",
  component: "sidecarComponent",
};

/** Where forwarded lines go and what they are tagged with. */
export interface LogForwarderOptions {
  /** Parent logger; lines go to its child {component: "sidecar", pid}. */
  logger: Logger;
  /** The sidecar's process id, bound on every forwarded line. */
  pid: number | undefined;
  tailLines?: number;
}

/** Forwards one process's stderr and remembers its tail. */
export class LogForwarder {
  private readonly log: Logger;
  private readonly tailSize: number;
  private readonly lines: string[] = [];

  constructor(options: LogForwarderOptions) {
    this.log = options.logger.child({ component: "sidecar", pid: options.pid });
    this.tailSize = options.tailLines ?? DEFAULT_TAIL_LINES;
  }

  /** Forwards every line of `stream`; resolves when the stream ends. */
  attach(stream: Readable): Promise<void> {
    return forEachLine(stream, (line) => this.handleLine(line));
  }

  /** Forwards one line and remembers it in the tail. */
  handleLine(line: string): void {
    if (line.trim() === "") return;
    this.remember(line);
    const record = parseJsonObject(line);
    if (record === undefined) {
      this.log.warn({ stream: "stderr" }, line);
      return;
    }
    const { level, msg, message, ...rest } = record;
    const text = typeof msg === "string" ? msg : typeof message === "string" ? message : "";
    this.log[mapSidecarLevel(level)](renameReserved(rest), text);
  }

  /** The last lines, oldest first. */
  tail(): string[] {
    return [...this.lines];
  }

  private remember(line: string): void {
    this.lines.push(line.length > TAIL_LINE_CHARS ? `${line.slice(0, TAIL_LINE_CHARS)}…` : line);
    if (this.lines.length > this.tailSize) this.lines.shift();
  }
}

function parseJsonObject(line: string): Record<string, unknown> | undefined {
  if (!line.trimStart().startsWith("{")) return undefined;
  try {
    const value: unknown = JSON.parse(line);
    return typeof value === "object" && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

function renameReserved(fields: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(fields)) out[RENAMED_FIELDS[key] ?? key] = value;
  return out;
}
