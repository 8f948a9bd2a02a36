/**
 * Probes and metrics for operators and orchestrators: GET /healthz (the process serves HTTP), GET /readyz
 * (the sidecar can speak) and GET /metrics (Prometheus text). Unlike GET /api/v1/health, the probes read the
 * supervisor's state only and never call the sidecar, so they stay cheap at any probe rate.
 */
import Router from "@koa/router";
import type { Registry } from "prom-client";
import type { HealthSource } from "../../services/health-service.js";

/** When the supervisor names no next attempt (starting, loading): a probe interval, not a promise. */
const DEFAULT_RETRY_AFTER_SECONDS = 5;

export interface ObservabilityRoutesOptions {
  sidecar: HealthSource;
  registry: Registry;
}

export function observabilityRoutes({ sidecar, registry }: ObservabilityRoutesOptions): Router {
  const router = new Router();
  router.get("/healthz", (ctx) => {
    ctx.body = { status: "ok" };
  });
  router.get("/readyz", (ctx) => {
    const { state, nextAttemptAt } = sidecar.snapshot();
    ctx.body = { status: state === "ready" ? "ready" : "not_ready", sidecar: state };
    if (state === "ready") return;
    ctx.status = 503;
    ctx.set("Retry-After", String(retryAfterSeconds(nextAttemptAt)));
  });
  router.get("/metrics", async (ctx) => {
    ctx.type = registry.contentType;
    ctx.body = await registry.metrics();
  });
  return router;
}

/** Until the supervisor's next start attempt when it has one scheduled, at least a second. */
function retryAfterSeconds(nextAttemptAt: string | null): number {
  if (nextAttemptAt === null) return DEFAULT_RETRY_AFTER_SECONDS;
  return Math.max(1, Math.ceil((Date.parse(nextAttemptAt) - Date.now()) / 1000));
}
