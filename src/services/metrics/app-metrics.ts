/**
 * The Prometheus registry an app serves at GET /metrics: Node's process metrics, the HTTP metrics (the realtime
 * WebSocket's included) and the sidecar's state. One registry per app rather than prom-client's global one, so that several apps in one
 * process (as in the tests) keep their own counts.
 */
import { collectDefaultMetrics, Gauge, Registry } from "prom-client";
import type { HealthSource } from "../health-service.js";
import { createHttpMetrics, type HttpMetrics } from "./http-metrics.js";
import { registerSidecarMetrics } from "./sidecar-metrics.js";

export interface AppMetrics {
  registry: Registry;
  http: HttpMetrics;
  realtime: RealtimeMetrics;
}

/** The realtime WebSocket's upgrades, counted as HTTP requests (status 101 for a session), and its open sessions. */
export interface RealtimeMetrics {
  http: HttpMetrics;
  sessionsOpen: Pick<Gauge, "inc" | "dec">;
}

export function createAppMetrics(sidecar: HealthSource): AppMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  registerSidecarMetrics(registry, sidecar);
  const http = createHttpMetrics(registry);
  const sessionsOpen = new Gauge({
    name: "realtime_sessions_open",
    help: "Realtime speech WebSocket sessions open now",
    registers: [registry],
  });
  return { registry, http, realtime: { http, sessionsOpen } };
}
