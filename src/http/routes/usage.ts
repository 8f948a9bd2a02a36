/**
 * GET /api/v1/usage (docs/api/usage.md): usage rows with totals, optionally grouped by key, day, endpoint or
 * engine, and per time bucket (minute, hour, day) for charts; `format=csv` exports the rows. A key without
 * `admin` sees its own usage only.
 */
import Router from "@koa/router";
import type { Context } from "koa";
import { z } from "zod";
import { PermissionDeniedError } from "../../domain/errors.js";
import type { ApiKey } from "../../services/auth/api-key-store.js";
import { allows } from "../../services/auth/scopes.js";
import type { UsageFilter, UsageLog, UsageRow } from "../../services/usage/usage-log.js";
import { toFieldIssues, validationFailed } from "../schemas/field-issues.js";

const instant = z.iso
  .datetime({ offset: true, error: "must be an ISO 8601 time such as 2026-12-01T00:00:00Z" })
  .or(z.iso.date({ error: "must be an ISO 8601 date or time" }));

export const usageQuery = z
  .strictObject({
    key_id: z.string().min(1).optional(),
    endpoint: z.string().min(1).optional(),
    from: instant.optional(),
    to: instant.optional(),
    group_by: z
      .enum(["key", "day", "endpoint", "engine"], { error: "must be key, day, endpoint or engine" })
      .optional(),
    bucket: z.enum(["minute", "hour", "day"], { error: "must be minute, hour or day" }).optional(),
    format: z.enum(["json", "csv"], { error: "must be json or csv" }).default("json"),
    limit: z.coerce.number({ error: "must be a number" }).int().min(1).max(100_000).default(100),
    offset: z.coerce.number({ error: "must be a number" }).int().min(0).default(0),
  })
  .refine((query) => !(query.format === "csv" && query.group_by), {
    // A CSV holds rows only: groups asked for there would be dropped without a word.
    error: "group_by needs format=json; a CSV export holds the rows only",
    path: ["group_by"],
  })
  .refine((query) => !(query.format === "csv" && query.bucket), {
    error: "bucket needs format=json; a CSV export holds the rows only",
    path: ["bucket"],
  });

export function usageRoutes(usage: UsageLog): Router {
  const router = new Router();
  router.get("/api/v1/usage", (ctx) => {
    const parsed = usageQuery.safeParse(ctx.query);
    if (!parsed.success) throw validationFailed(toFieldIssues(parsed.error.issues, "query"));
    const query = parsed.data;
    const filter = ownFilter(ctx, {
      keyId: query.key_id,
      endpoint: query.endpoint,
      fromMs: query.from ? Date.parse(query.from) : undefined,
      toMs: query.to ? Date.parse(query.to) : undefined,
    });
    const rows = usage.rows(filter, { limit: query.limit, offset: query.offset });
    if (query.format === "csv") return sendCsv(ctx, rows);
    ctx.body = {
      currency: usage.currency,
      totals: usage.totals(filter),
      ...(query.group_by ? { groups: usage.grouped(filter, query.group_by) } : {}),
      ...(query.bucket ? { buckets: usage.bucketed(filter, query.bucket, query.group_by) } : {}),
      rows,
      limit: query.limit,
      offset: query.offset,
    };
  });
  return router;
}

/** The filter as asked, narrowed to the caller's own key unless it is an admin key (or keys are off). */
function ownFilter(ctx: Context, filter: UsageFilter): UsageFilter {
  const key = ctx.state.apiKey as ApiKey | undefined;
  if (!key || allows(key.scopes, "admin")) return filter;
  if (filter.keyId !== undefined && filter.keyId !== key.id) {
    throw new PermissionDeniedError("Only an admin key may read the usage of other keys");
  }
  return { ...filter, keyId: key.id };
}

const CSV_COLUMNS = [
  "at",
  "request_id",
  "key_id",
  "endpoint",
  "status",
  "error_code",
  "engine",
  "voice",
  "format",
  "stream_mode",
  "input_chars",
  "input_audio_ms",
  "output_audio_ms",
  "bytes_out",
  "ttfb_ms",
  "duration_ms",
  "cost",
] as const;

/** RFC 4180: fields with a comma, quote or line break are quoted, quotes doubled. */
function csvField(value: string | number | null | undefined): string {
  const text = value === null || value === undefined ? "" : String(value);
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

function sendCsv(ctx: Context, rows: UsageRow[]): void {
  const lines = [CSV_COLUMNS.join(","), ...rows.map((row) => CSV_COLUMNS.map((c) => csvField(row[c])).join(","))];
  ctx.type = "text/csv; charset=utf-8";
  ctx.attachment("usage.csv");
  ctx.body = `${lines.join("\r\n")}\r\n`;
}
