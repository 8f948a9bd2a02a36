/**
 * What the load benchmark's two parts share: one TTS request with a hard deadline, classified by how it
 * ended; percentiles; the memory of this process and of the sidecar.
 */
import { readFile } from "node:fs/promises";
import type { TestApp } from "../helpers/test-app.js";

/** No request may take longer; one that does counts as hung (a must-be-0 figure). */
export const REQUEST_DEADLINE_MS = 30_000;

/** About 200 characters: a few espeak segments. */
export const TEXT =
  "The lighthouse keeper climbed the spiral stairs at dusk, counting every step as his father had taught him. " +
  "Far below, the waves broke against the rocks, and the first stars appeared above the quiet harbour.";

export type Outcome =
  /** 200 with a JSON body. */
  | { kind: "ok"; ms: number }
  /** An error status with the API's error body (error_code), and its Retry-After header if any. */
  | { kind: "error"; ms: number; status: number; errorCode: string; retryAfter: string | null }
  /** An answer that is neither: a 200 we could not read, or an error status without the error body. */
  | { kind: "malformed"; ms: number; status: number; detail: string }
  /** Past the deadline: no full answer in REQUEST_DEADLINE_MS. */
  | { kind: "hung"; ms: number }
  /** fetch rejected for another reason (connection reset, refused). */
  | { kind: "lost"; ms: number; detail: string };

/** POST /api/v1/tts (WAV only, JSON answer), the body read to its end within the deadline. */
export async function ttsRequest(app: TestApp): Promise<Outcome> {
  const started = performance.now();
  const ms = () => performance.now() - started;
  try {
    const response = await fetch(`${app.baseUrl}/api/v1/tts?response_mode=json`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ text: TEXT, bypass_whisper_checking: true, export_formats: ["wav"] }),
      signal: AbortSignal.timeout(REQUEST_DEADLINE_MS),
    });
    const text = await response.text();
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      return { kind: "malformed", ms: ms(), status: response.status, detail: text.slice(0, 120) };
    }
    if (response.status === 200) return { kind: "ok", ms: ms() };
    const errorCode = (body as { error_code?: unknown }).error_code;
    if (typeof errorCode !== "string") {
      return { kind: "malformed", ms: ms(), status: response.status, detail: text.slice(0, 120) };
    }
    return {
      kind: "error",
      ms: ms(),
      status: response.status,
      errorCode,
      retryAfter: response.headers.get("retry-after"),
    };
  } catch (error) {
    const name = (error as Error).name;
    if (name === "TimeoutError" || name === "AbortError") return { kind: "hung", ms: ms() };
    return { kind: "lost", ms: ms(), detail: String((error as Error).cause ?? error) };
  }
}

/** Nearest-rank percentile of `values` (ms); "-" when there are none. */
export function percentile(values: number[], p: number): string {
  if (values.length === 0) return "-";
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return `${sorted[rank - 1]!.toFixed(0)} ms`;
}

const mb = (bytes: number) => `${(bytes / 2 ** 20).toFixed(0)} MB`;

/** This Node process's RSS: the Koa app runs in it. */
/**
 * This process's RSS after a full garbage collection when node runs with --expose-gc (npm run bench:load does):
 * without one, RSS shows how lazily V8 collects, not what the server keeps.
 */
export const nodeRss = () => {
  (globalThis as { gc?: () => void }).gc?.();
  return mb(process.memoryUsage().rss);
};

/** The sidecar's VmRSS from /proc, or "-" when it is not running. */
export async function sidecarRss(pid: number | null): Promise<string> {
  if (pid === null) return "-";
  try {
    const status = await readFile(`/proc/${pid}/status`, "utf8");
    const kb = /^VmRSS:\s+(\d+)\s+kB/m.exec(status)?.[1];
    return kb === undefined ? "-" : mb(Number(kb) * 1024);
  } catch {
    return "-";
  }
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** One markdown table: a header row and rows of cells. */
export function table(header: string[], rows: Array<Array<string | number>>): string {
  const line = (cells: Array<string | number>) => `| ${cells.join(" | ")} |`;
  return [line(header), line(header.map(() => "---")), ...rows.map(line)].join("\n");
}
