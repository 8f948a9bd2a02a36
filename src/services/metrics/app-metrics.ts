/**
 * The Prometheus registry an app serves at GET /metrics: Node's process metrics, the HTTP metrics (the realtime
 * WebSocket's included), the sidecar's state, and the queue waits and speed of the engine calls. One registry
 * per app rather than prom-client's global one, so that several apps in one process (as in the tests) keep
 * their own counts.
 */
import { collectDefaultMetrics, Gauge, Registry } from "prom-client";
import type { InferenceBackend } from "../../domain/inference.js";
import type { HealthSource } from "../health-service.js";
import { createHttpMetrics, type HttpMetrics } from "./http-metrics.js";
import { createInferenceMetrics } from "./inference-metrics.js";
import { meteredBackend } from "./metered-backend.js";
import { registerSidecarMetrics } from "./sidecar-metrics.js";

export interface AppMetrics {
  registry: Registry;
  http: HttpMetrics;
  realtime: RealtimeMetrics;
  /** The backend the services should call: it reports each finished engine call's queue wait and speed. */
  meter(backend: InferenceBackend): InferenceBackend;
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
  const inference = createInferenceMetrics(registry);
  // VC runs on the default engine; the conversion's answer does not name it, health does.
  const defaultEngine = () => sidecar.snapshot().engines?.default.engine ?? "unknown";
  return {
    registry,
    http,
    realtime: { http, sessionsOpen },
    meter: (backend) => meteredBackend(backend, inference, defaultEngine),
  };
}
