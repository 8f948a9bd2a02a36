/**
 * GET /api/v1/metrics (spec §3.3) and GET /api/v1/errors/summary, /errors/recent (spec §3.19), fed by the
 * usage table: docs/api/system.md and docs/api/maintenance.md say what each figure counts.
 */
import Router from "@koa/router";
import type { Context } from "koa";
import { z } from "zod";
import type { SystemStats } from "../../services/metrics/system-stats.js";
import type { ErrorReport } from "../../services/usage/error-report.js";
import type { UsageStats } from "../../services/usage/usage-stats.js";
import { toFieldIssues, validationFailed } from "../schemas/field-issues.js";

const WINDOW_MINUTES = 60;

/** None of these routes takes a parameter but `count`: an unread one (the spec's `hours`) is refused. */
export const noQuery = z.strictObject({});
export const recentQuery = z.strictObject({
  count: z.coerce.number({ error: "must be a whole number from 1 to 50" }).int().min(1).max(50).default(10),
});

export interface ApiMetricsRoutesOptions {
  usage: Pick<UsageStats, "durations">;
  errors: ErrorReport;
  system: SystemStats;
}

export function apiMetricsRoutes({ usage, errors, system }: ApiMetricsRoutesOptions): Router {
  const router = new Router();
  router.get("/api/v1/metrics", async (ctx) => {
    parseQuery(ctx, noQuery);
    const sinceMs = Date.now() - WINDOW_MINUTES * 60_000;
    const processing = usage.durations("processing", sinceMs);
    const response = usage.durations("response", sinceMs);
    ctx.body = {
      timestamp: new Date().toISOString(),
      system: await system.snapshot(),
      performance: {
        time_window_minutes: WINDOW_MINUTES,
        processing_times: processing,
        response_times: response,
        sample_count: { processing_times: processing.count, response_times: response.count },
      },
    };
  });
  router.get("/api/v1/errors/summary", (ctx) => {
    parseQuery(ctx, noQuery);
    ctx.body = errors.summary(Date.now());
  });
  router.get("/api/v1/errors/recent", (ctx) => {
    const { count } = parseQuery(ctx, recentQuery);
    ctx.body = errors.recent(Date.now(), count);
  });
  return router;
}

function parseQuery<T>(ctx: Context, schema: z.ZodType<T>): T {
  const parsed = schema.safeParse(ctx.query);
  if (!parsed.success) throw validationFailed(toFieldIssues(parsed.error.issues, "query"));
  return parsed.data;
}
