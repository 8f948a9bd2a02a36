/**
 * Keeps one inference sidecar alive (design.md §2, aesthetics.md §5.4). States:
 *   stopped → starting → loading → ready;  ready → (crash) → restarting → starting → … → ready | failed;
 *   any → stopping → stopped.
 * Only real crashes restart: stop() marks the stop before it signals. Restarts use capped exponential
 * backoff with jitter inside a budget; past it the state is `failed` until start() is called again.
 */
import { EventEmitter } from "node:events";
import { InferenceTimeoutError, ModelNotReadyError } from "../domain/errors.js";
import type { InferenceBackend, ModelInfo } from "../domain/inference.js";
import type { Logger } from "../logging.js";
import { NOT_READY_RETRY_AFTER_SECONDS } from "./grpc-errors.js";
import { HealthMonitor, type HealthCheckReport } from "./health-monitor.js";
import { launchSidecar, type LaunchedSidecar } from "./launch-sidecar.js";
import { backoffDelay, RestartBudget } from "./restart-budget.js";
import { SidecarClient, SPEECH_SERVICE_HEALTH_NAME } from "./sidecar-client.js";
import type { ProcessExit, SidecarProcess } from "./sidecar-process.js";
import { describeExit, SidecarStartError } from "./sidecar-start-error.js";
import { buildSnapshot, type SupervisorSnapshot, type SupervisorState } from "./supervisor-snapshot.js";
import { SupervisedBackend } from "./supervised-backend.js";
import {
  buildSpawnSpec,
  READINESS_POLL_MS,
  resolveSupervisorOptions,
  type ResolvedSupervisorOptions,
  type SupervisorOptions,
} from "./supervisor-options.js";
import { cancellableDelay } from "./with-timeout.js";

/** Re-exported so callers import the supervisor's types from one module. */
export type { SupervisorSnapshot, SupervisorState } from "./supervisor-snapshot.js";

/** Retry-After once restarts gave up: someone has to intervene, so clients should not hammer. */
const FAILED_RETRY_AFTER_SECONDS = 30;

/** Events, so callers (and tests) wait on facts instead of sleeping. */
export interface SupervisorEvents {
  state: [state: SupervisorState, previous: SupervisorState];
  ready: [modelInfo: ModelInfo];
  /** `unexpected`: the ready process died without stop() (a restart follows, within the budget). */
  exit: [exit: ProcessExit, unexpected: boolean];
  restart: [restartNumber: number, delayMs: number];
  health: [report: HealthCheckReport];
  /** Restarts gave up, or start() failed. */
  failed: [error: Error];
}

const NOT_READY_MESSAGES: Record<SupervisorState, string> = {
  stopped: "The inference engine is not running.",
  starting: "The inference engine is starting.",
  loading: "The inference engine is loading its model.",
  ready: "The inference engine is not ready.",
  restarting: "The inference engine is restarting after a crash.",
  failed: "The inference engine failed and could not be restarted; see /api/v1/health.",
  stopping: "The inference engine is shutting down.",
};

/**
 * Owns the sidecar process: start(), stop(), restarts, health, and the `backend` services use.
 * Listen to SupervisorEvents to follow it; snapshot() for the health endpoint.
 */
export class SidecarSupervisor extends EventEmitter<SupervisorEvents> {
  /** Delegates to the current sidecar; throws ModelNotReadyError while there is no ready one. */
  readonly backend: InferenceBackend;
  private readonly options: ResolvedSupervisorOptions;
  private readonly log: Logger;
  private readonly budget: RestartBudget;
  private readonly supervised: SupervisedBackend;
  private readonly health: HealthMonitor;
  private current: SupervisorState = "stopped";
  private child: SidecarProcess | undefined;
  private ready: LaunchedSidecar | undefined;
  private lastExit: ProcessExit | undefined;
  private lastModelInfo: ModelInfo | undefined;
  private startedAt: Date | undefined;
  private restarts = 0;
  private attempt = 0;
  private stopping = false;
  private startPromise: Promise<ModelInfo> | undefined;
  private stopPromise: Promise<void> | undefined;
  private lifecycle: Promise<unknown> = Promise.resolve();
  private backoffAbort: AbortController | undefined;

  constructor(options: SupervisorOptions) {
    super();
    this.options = resolveSupervisorOptions(options);
    this.log = options.logger.child({ component: "supervisor" });
    this.budget = new RestartBudget(this.options.restart);
    this.supervised = new SupervisedBackend(() => this.requireClient());
    this.backend = this.supervised;
    this.health = new HealthMonitor({
      probe: () => this.probeHealth(),
      intervalMs: this.options.healthIntervalMs,
      failureThreshold: this.options.healthFailureThreshold,
      isBusy: () => this.supervised.activeCalls > 0,
      onReport: (report) => this.emit("health", report),
      onUnhealthy: (failures) => this.killUnhealthy(failures),
    });
  }

  get state(): SupervisorState {
    return this.current;
  }

  /**
   * Spawns the sidecar and resolves once the model is loaded. Calls while starting or ready share the
   * same promise. A first start is not retried: it rejects with SidecarStartError (state `failed`), so a
   * broken setup is visible at boot. Allowed again after `failed` or a completed stop().
   */
  start(): Promise<ModelInfo> {
    if (this.current === "stopping") return Promise.reject(new Error("The supervisor is stopping."));
    if (this.startPromise) return this.startPromise;
    this.stopping = false;
    this.stopPromise = undefined;
    this.budget.reset();
    this.restarts = 0;
    this.attempt = 0;
    const starting = this.launchOnce().catch((error: unknown) => {
      this.startPromise = undefined;
      // Not logged here: the caller of start() gets the error and decides what it means.
      if (!this.stopping) this.fail(error instanceof Error ? error : new Error(String(error)), false);
      throw error;
    });
    this.startPromise = starting;
    this.lifecycle = starting.catch(() => undefined);
    return starting;
  }

  /**
   * Stops the sidecar: SIGTERM, then SIGKILL after stopGraceMs. Resolves when the child is gone and no
   * start or restart is still running. Idempotent: safe to call many times, also concurrently.
   */
  stop(): Promise<void> {
    this.stopPromise ??= this.stopNow();
    return this.stopPromise;
  }

  snapshot(): SupervisorSnapshot {
    return buildSnapshot({
      state: this.current,
      child: this.child,
      address: this.ready?.handshake.address,
      restarts: this.restarts,
      lastExit: this.lastExit,
      startedAt: this.startedAt,
      modelInfo: this.lastModelInfo,
    });
  }

  private async stopNow(): Promise<void> {
    if (this.current === "stopped") return;
    this.stopping = true; // before any signal: the exit that follows must not restart
    this.setState("stopping");
    this.health.stop();
    this.backoffAbort?.abort();
    const child = this.child;
    if (child?.running) {
      const exit = await child.terminate(this.options.stopGraceMs);
      this.log.info({ pid: child.pid, exitCode: exit.code, signal: exit.signal }, "sidecar stopped");
    }
    await this.lifecycle;
    this.health.stop();
    this.ready?.client.close();
    this.ready = undefined;
    this.child = undefined;
    this.startPromise = undefined;
    this.setState("stopped");
  }

  /** One launch attempt, ending in `ready`; throws SidecarStartError. */
  private async launchOnce(): Promise<ModelInfo> {
    this.setState("starting");
    const launched = await launchSidecar({
      spec: buildSpawnSpec(this.options, process.pid),
      startupTimeoutMs: this.options.startupTimeoutMs,
      loadTimeoutMs: this.options.loadTimeoutMs,
      readinessPollMs: READINESS_POLL_MS,
      stopGraceMs: this.options.stopGraceMs,
      loadRequest: this.options.loadRequest,
      clientOptions: {
        maxMessageBytes: this.options.args.maxMessageMb * 1024 * 1024,
        timeouts: this.options.clientTimeouts,
        logger: this.log,
      },
      logger: this.log,
      sidecarLogger: this.options.logger,
      onSpawn: (child) => this.adopt(child),
      onLoading: () => this.setState("loading"),
      isStopping: () => this.stopping,
    });
    if (this.stopping || !launched.process.running) {
      // stop() came in, or the process died, between LoadModel's answer and now.
      launched.client.close();
      const exit = await launched.process.terminate(this.options.stopGraceMs);
      if (this.stopping) throw new SidecarStartError("stopped", "The supervisor was stopped while starting.", exit);
      throw new SidecarStartError("exited", `The sidecar exited right after loading (${describeExit(exit)}).`, exit);
    }
    this.ready = launched;
    this.lastModelInfo = launched.modelInfo;
    this.startedAt = new Date();
    this.attempt = 0;
    this.log.info({ pid: launched.process.pid, address: launched.handshake.address, model: launched.modelInfo }, "sidecar ready");
    this.setState("ready");
    this.emit("ready", launched.modelInfo);
    this.health.start();
    return launched.modelInfo;
  }

  private adopt(child: SidecarProcess): void {
    this.child = child;
    void child.exited.then((exit) => this.onExit(child, exit));
  }

  private onExit(child: SidecarProcess, exit: ProcessExit): void {
    this.lastExit = exit;
    const ready = this.ready;
    const crashed = ready !== undefined && ready.process === child && !this.stopping;
    this.emit("exit", exit, crashed);
    if (!crashed) return; // stop() or the launch in progress handles it
    const fields = { pid: child.pid, exitCode: exit.code, signal: exit.signal, stderrTail: exit.stderrTail };
    this.log.error(fields, `sidecar exited unexpectedly (${describeExit(exit)})`);
    this.health.stop();
    const client = ready.client;
    this.ready = undefined;
    this.startedAt = undefined;
    // Calls in flight learn now, with a retryable error, instead of waiting on a dead connection.
    client.failActiveCalls(new ModelNotReadyError(NOT_READY_MESSAGES.restarting, NOT_READY_RETRY_AFTER_SECONDS));
    client.close();
    this.lifecycle = this.restartLoop();
  }

  private async restartLoop(): Promise<void> {
    while (!this.stopping) {
      if (!this.budget.tryConsume()) {
        const policy = this.options.restart;
        const budget = `${policy.maxRestarts} restart(s) within ${policy.windowMs} ms`;
        this.fail(new Error(`The sidecar kept crashing after ${budget}; giving up until start() is called again.`));
        return;
      }
      this.restarts += 1;
      const delayMs = backoffDelay(this.attempt, this.options.restart, this.options.random);
      this.attempt += 1;
      this.setState("restarting");
      this.emit("restart", this.restarts, delayMs);
      this.log.warn({ restart: this.restarts, delayMs }, "restarting the sidecar");
      this.backoffAbort = new AbortController();
      await cancellableDelay(delayMs, this.backoffAbort.signal);
      if (this.stopping) return;
      try {
        await this.launchOnce();
        return;
      } catch (error) {
        if (this.stopping) return;
        this.log.error({ err: error }, "sidecar restart attempt failed");
      }
    }
  }

  private fail(error: Error, log = true): void {
    this.startPromise = undefined;
    if (log) this.log.error({ err: error }, "sidecar failed");
    this.setState("failed");
    this.emit("failed", error);
  }

  private async probeHealth(): Promise<{ ok: boolean; timedOut: boolean }> {
    const client = this.ready?.client;
    if (!client) return { ok: false, timedOut: false };
    try {
      const state = await client.checkHealth(SPEECH_SERVICE_HEALTH_NAME, { timeoutMs: this.options.healthTimeoutMs });
      return { ok: state === "serving", timedOut: false };
    } catch (error) {
      return { ok: false, timedOut: error instanceof InferenceTimeoutError };
    }
  }

  /** The process answers health badly while alive: kill it; the exit handler restarts it. */
  private killUnhealthy(failures: number): void {
    const child = this.ready?.process;
    if (!child?.running || this.stopping) return;
    this.log.error({ pid: child.pid, failures }, "sidecar failed its health checks; killing it");
    child.kill("SIGKILL");
  }

  private requireClient(): SidecarClient {
    if (this.current === "ready" && this.ready) return this.ready.client;
    const retryAfter = this.current === "failed" ? FAILED_RETRY_AFTER_SECONDS : NOT_READY_RETRY_AFTER_SECONDS;
    throw new ModelNotReadyError(NOT_READY_MESSAGES[this.current], retryAfter);
  }

  private setState(next: SupervisorState): void {
    const previous = this.current;
    if (previous === next) return;
    this.current = next;
    this.log.debug({ state: next, previous }, "sidecar supervisor state");
    this.emit("state", next, previous);
  }
}
