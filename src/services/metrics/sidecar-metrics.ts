/**
 * The sidecar's state as metrics, read when Prometheus scrapes (prom-client calls `collect`) from the
 * supervisor's snapshot and the sidecar's status call, the sources of GET /api/v1/health: nothing polls the
 * sidecar between scrapes, and a scrape never reports a state older than itself.
 */
import { Counter, Gauge, type Registry } from "prom-client";
import type { WorkerStatus } from "../../domain/inference.js";
import type { SupervisorState } from "../../sidecar/supervisor-snapshot.js";
import type { HealthSource } from "../health-service.js";

/** Every state, checked against the type: a state the supervisor gains fails the build until it is listed. */
const STATES = Object.keys({
  stopped: 0,
  starting: 0,
  loading: 0,
  ready: 0,
  restarting: 0,
  failed: 0,
  stopping: 0,
} satisfies Record<SupervisorState, 0>) as SupervisorState[];

/** A scrape must not hang on a stuck sidecar; its queue then reads as empty with no capacity. */
const STATUS_TIMEOUT_MS = 1000;

export function registerSidecarMetrics(registry: Registry, sidecar: HealthSource): void {
  const registers = [registry];
  new Gauge({
    name: "sidecar_up",
    help: "1 while the inference sidecar is ready to serve, else 0",
    registers,
    collect() {
      this.set(sidecar.snapshot().state === "ready" ? 1 : 0);
    },
  });
  new Gauge({
    name: "sidecar_state",
    help: "The supervisor's state of the inference sidecar: 1 for the current state, 0 for the others",
    labelNames: ["state"] as const,
    registers,
    collect() {
      const { state: current } = sidecar.snapshot();
      for (const state of STATES) this.set({ state }, state === current ? 1 : 0);
    },
  });
  new Counter({
    name: "sidecar_restarts_total",
    help: "Restart attempts of the inference sidecar (after crashes or failed starts) since the server started",
    registers,
    collect() {
      // The supervisor keeps the count; the counter mirrors it rather than counting twice.
      this.reset();
      this.inc(sidecar.snapshot().restarts);
    },
  });
  registerEngineMetric(registry, sidecar);
  registerQueueMetrics(registry, sidecar);
}

/** Info-style: one series of value 1 per loaded engine, none while the sidecar is not ready. */
function registerEngineMetric(registry: Registry, sidecar: HealthSource): void {
  new Gauge({
    name: "tts_engine_loaded",
    help: "1 for each engine the ready sidecar holds; default=true marks the one requests get when they name none",
    labelNames: ["engine", "default"] as const,
    registers: [registry],
    collect() {
      this.reset();
      const { state, engines } = sidecar.snapshot();
      if (state !== "ready" || engines === null) return;
      for (const info of engines.loaded) {
        this.set({ engine: info.engine, default: String(info.engine === engines.default.engine) }, 1);
      }
    },
  });
}

function registerQueueMetrics(registry: Registry, sidecar: HealthSource): void {
  // Both gauges are collected in the same pass of a scrape: they share one status call.
  let pending: Promise<WorkerStatus | undefined> | undefined;
  const status = () =>
    (pending ??= (
      sidecar.snapshot().state === "ready"
        ? sidecar.backend.status({ timeoutMs: STATUS_TIMEOUT_MS }).catch(() => undefined)
        : Promise.resolve(undefined)
    ).finally(() => (pending = undefined)));
  new Gauge({
    name: "inference_queue_depth",
    help: "Requests waiting in the sidecar's inference queue (0 while it is not ready or does not answer)",
    registers: [registry],
    async collect() {
      this.set((await status())?.queueDepth ?? 0);
    },
  });
  new Gauge({
    name: "inference_queue_capacity",
    help: "How many requests the sidecar's inference queue admits (0 while it is not ready or does not answer)",
    registers: [registry],
    async collect() {
      this.set((await status())?.queueCapacity ?? 0);
    },
  });
}
