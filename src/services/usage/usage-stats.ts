/**
 * Read-only queries over the usage table (one row per request) for GET /api/v1/metrics and the error
 * reports: request durations in a time window, and the failed requests worth an operator's attention.
 */
import type { Db } from "../../storage/db/database.js";

/** Routes whose successful requests ran the engine: their durations are the "processing times". */
const INFERENCE_ENDPOINTS: readonly string[] = [
  "POST /api/v1/tts",
  "POST /v1/audio/speech",
  "POST /api/v1/vc",
  "POST /v1/audio/transcriptions",
  "POST /v1/audio/translations",
];

/** Durations in ms; min, max and avg are null when no request falls in the window. */
export interface DurationStats {
  min_ms: number | null;
  max_ms: number | null;
  avg_ms: number | null;
  count: number;
}

/** Failures of one kind (operation, status, code) in a window. */
export interface ErrorGroup {
  endpoint: string;
  status: number;
  error_code: string | null;
  count: number;
}

export interface ErrorRow {
  at_ms: number;
  request_id: string;
  key_id: string | null;
  endpoint: string;
  status: number;
  error_code: string | null;
}

/**
 * The failures the error reports count. Left out: refused keys (401, 403: scanners and misconfigured clients
 * would drown real failures; their usage rows, in GET /api/v1/usage, show them), requests for paths no route
 * serves (probes), clients that left first (499: nothing failed) and realtime sessions (their rows record
 * how a session ended, not a request).
 */
const TRACKED_ERROR = `status >= 400 AND status NOT IN (401, 403, 499)
  AND endpoint NOT LIKE '% (no route)' AND endpoint NOT LIKE 'WS %'`;

const INFERENCE_LIST = INFERENCE_ENDPOINTS.map((endpoint) => `'${endpoint}'`).join(", ");

/** Which rows each duration statistic reads. Realtime sessions last minutes by design: not response times. */
const DURATION_ROWS = {
  processing: `status < 400 AND endpoint IN (${INFERENCE_LIST})`,
  response: "endpoint NOT LIKE 'WS %'",
} as const;

export class UsageStats {
  constructor(private readonly db: Db) {}

  /** Durations of successful inference requests (`processing`) or of every HTTP request (`response`). */
  durations(which: keyof typeof DURATION_ROWS, sinceMs: number): DurationStats {
    const sql = `SELECT MIN(duration_ms) AS min_ms, MAX(duration_ms) AS max_ms,
        ROUND(AVG(duration_ms), 1) AS avg_ms, COUNT(*) AS count
      FROM usage WHERE at_ms >= ? AND ${DURATION_ROWS[which]}`;
    return this.db.prepare(sql).get(sinceMs) as DurationStats;
  }

  /** Tracked failures since `sinceMs`, counted per operation, status and code. */
  errorGroups(sinceMs: number): ErrorGroup[] {
    const sql = `SELECT endpoint, status, error_code, COUNT(*) AS count FROM usage
      WHERE at_ms >= ? AND ${TRACKED_ERROR} GROUP BY endpoint, status, error_code ORDER BY endpoint, status`;
    return this.db.prepare(sql).all(sinceMs) as ErrorGroup[];
  }

  /** The newest `limit` tracked failures since `sinceMs`, newest first. */
  recentErrors(sinceMs: number, limit: number): ErrorRow[] {
    const sql = `SELECT at_ms, request_id, key_id, endpoint, status, error_code FROM usage
      WHERE at_ms >= ? AND ${TRACKED_ERROR} ORDER BY at_ms DESC, id DESC LIMIT ?`;
    return this.db.prepare(sql).all(sinceMs, limit) as ErrorRow[];
  }
}
