/**
 * The usage table: one row per request, written once when it ends, and the queries GET /api/v1/usage answers
 * (rows, totals, totals grouped by key, day, endpoint or engine, and totals per time bucket).
 */
import type { Db } from "../../storage/db/database.js";
import { costOf, type PriceTable, type UsageRecord } from "./usage-record.js";
import type { UsageBucket, UsageBucketTotals, UsageTotals } from "./usage-totals.js";

export interface UsageFilter {
  keyId?: string | undefined;
  endpoint?: string | undefined;
  /** Inclusive, epoch ms. */
  fromMs?: number | undefined;
  /** Exclusive, epoch ms. */
  toMs?: number | undefined;
}

export type UsageGrouping = "key" | "day" | "endpoint" | "engine";

/** A stored row as the API shows it. */
export type UsageRow = Record<string, string | number | null>;

const TOTALS = `COUNT(*) AS requests, SUM(status >= 400) AS errors, SUM(input_chars) AS input_chars,
  SUM(input_audio_ms) AS input_audio_ms, SUM(output_audio_ms) AS output_audio_ms, SUM(bytes_out) AS bytes_out,
  ROUND(SUM(cost), 6) AS cost`;

/** SQL for each grouping: the group's name as `group_key`. Days are UTC dates. */
const GROUP_KEYS: Readonly<Record<UsageGrouping, string>> = {
  key: "COALESCE(key_id, '')",
  day: "strftime('%Y-%m-%d', at_ms / 1000, 'unixepoch')",
  endpoint: "endpoint",
  engine: "COALESCE(engine, '')",
};

/** SQL for each bucket width: the bucket's start as an ISO 8601 UTC time. */
const BUCKET_STARTS: Readonly<Record<UsageBucket, string>> = {
  minute: "strftime('%Y-%m-%dT%H:%M:00Z', at_ms / 1000, 'unixepoch')",
  hour: "strftime('%Y-%m-%dT%H:00:00Z', at_ms / 1000, 'unixepoch')",
  day: "strftime('%Y-%m-%dT00:00:00Z', at_ms / 1000, 'unixepoch')",
};

export class UsageLog {
  constructor(
    private readonly db: Db,
    private readonly prices: PriceTable,
  ) {}

  record(record: UsageRecord): void {
    this.db
      .prepare(
        `INSERT INTO usage (at_ms, request_id, key_id, endpoint, status, error_code, engine, voice, format, stream_mode,
           input_chars, input_audio_ms, output_audio_ms, bytes_out, ttfb_ms, duration_ms, cost)
         VALUES (@at, @requestId, @keyId, @endpoint, @status, @errorCode, @engine, @voice, @format, @streamMode,
           @inputChars, @inputAudioMs, @outputAudioMs, @bytesOut, @ttfbMs, @durationMs, @cost)`,
      )
      .run({ ...record, at: record.at.getTime(), cost: costOf(record, this.prices) });
  }

  /** Rows matching `filter`, newest first. */
  rows(filter: UsageFilter, page: { limit: number; offset: number }): UsageRow[] {
    const { where, params } = whereClause(filter);
    const sql = `SELECT ${ROW_COLUMNS} FROM usage ${where} ORDER BY at_ms DESC, id DESC LIMIT @limit OFFSET @offset`;
    return this.db.prepare(sql).all({ ...params, ...page }) as UsageRow[];
  }

  totals(filter: UsageFilter): UsageTotals {
    const { where, params } = whereClause(filter);
    return zeroNulls(this.db.prepare(`SELECT ${TOTALS} FROM usage ${where}`).get(params) as UsageTotals);
  }

  /** Totals per key, UTC day or endpoint, in the group's order. */
  grouped(filter: UsageFilter, by: UsageGrouping): Array<{ group: string } & UsageTotals> {
    const { where, params } = whereClause(filter);
    const sql = `SELECT ${GROUP_KEYS[by]} AS "group", ${TOTALS} FROM usage ${where} GROUP BY 1 ORDER BY 1`;
    return (this.db.prepare(sql).all(params) as Array<{ group: string } & UsageTotals>).map(zeroNulls);
  }

  /**
   * Totals per time bucket that holds any row, oldest first, split by `by` when given (then ordered by group
   * within a bucket). Charts fill the empty buckets themselves: the answer stays as small as the data.
   */
  bucketed(filter: UsageFilter, bucket: UsageBucket, by?: UsageGrouping): UsageBucketTotals[] {
    const { where, params } = whereClause(filter);
    const group = by ? `, ${GROUP_KEYS[by]} AS "group"` : "";
    const sql = `SELECT ${BUCKET_STARTS[bucket]} AS start${group}, ${TOTALS} FROM usage ${where}
      GROUP BY 1${by ? ", 2" : ""} ORDER BY 1${by ? ", 2" : ""}`;
    return (this.db.prepare(sql).all(params) as UsageBucketTotals[]).map(zeroNulls);
  }

  /** TTS characters of the key's successful requests since `sinceMs` (its daily quota's measure). */
  charsSince(keyId: string, sinceMs: number): number {
    const sql =
      "SELECT COALESCE(SUM(input_chars), 0) AS used FROM usage WHERE key_id = ? AND at_ms >= ? AND status < 400";
    return (this.db.prepare(sql).get(keyId, sinceMs) as { used: number }).used;
  }

  get currency(): string {
    return this.prices.currency;
  }
}

const ROW_COLUMNS = `strftime('%Y-%m-%dT%H:%M:%fZ', at_ms / 1000, 'unixepoch') AS at, request_id, key_id, endpoint,
  status, error_code, engine, voice, format, stream_mode, input_chars, input_audio_ms, output_audio_ms, bytes_out,
  ttfb_ms, duration_ms, cost`;

function whereClause(filter: UsageFilter): { where: string; params: Record<string, unknown> } {
  const parts: string[] = [];
  if (filter.keyId !== undefined) parts.push("key_id = @keyId");
  if (filter.endpoint !== undefined) parts.push("endpoint = @endpoint");
  if (filter.fromMs !== undefined) parts.push("at_ms >= @fromMs");
  if (filter.toMs !== undefined) parts.push("at_ms < @toMs");
  const params = Object.fromEntries(Object.entries(filter).filter(([, value]) => value !== undefined));
  return { where: parts.length > 0 ? `WHERE ${parts.join(" AND ")}` : "", params };
}

/** SUM over no rows is NULL in SQL; the API says 0. */
function zeroNulls<T extends object>(row: T): T {
  return Object.fromEntries(Object.entries(row).map(([name, value]) => [name, value ?? 0])) as T;
}
