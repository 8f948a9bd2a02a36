/**
 * The Prometheus registry an app serves at GET /metrics: Node's process metrics, the HTTP metrics and the
 * sidecar's state. One registry per app rather than prom-client's global one, so that several apps in one
 * process (as in the tests) keep their own counts.
 */
import { collectDefaultMetrics, Registry } from "prom-client";
import type { HealthSource } from "../health-service.js";
import { createHttpMetrics, type HttpMetrics } from "./http-metrics.js";
import { registerSidecarMetrics } from "./sidecar-metrics.js";

export interface AppMetrics {
  registry: Registry;
  http: HttpMetrics;
}

export function createAppMetrics(sidecar: HealthSource): AppMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  registerSidecarMetrics(registry, sidecar);
  return { registry, http: createHttpMetrics(registry) };
}
