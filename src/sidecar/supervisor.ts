/**
 * Keeps one inference sidecar alive (design.md §2, aesthetics.md §5.4). States:
 *   stopped → starting → loading → ready;  ready → (crash) → restarting → starting → … → ready;
 *   a start attempt that fails → restarting (backoff) → … ; too many failures in the window → failed
 *   (cool-down) → starting → …;  any → stopping → stopped.
 * Only real crashes restart: stop() marks the stop before it signals. `failed` is never final: the
 * supervisor tries again after every cool-down, so a server left alone heals once the cause is gone.
 */
import { randomBytes } from "node:crypto";
import { EventEmitter, once } from "node:events";
import { InferenceTimeoutError, ModelNotReadyError } from "../domain/errors.js";
import type { InferenceBackend, LoadedEngines } from "../domain/inference.js";
import type { Logger } from "../logging.js";
import { EngineLoadMemory } from "./engine-load-memory.js";
import { NOT_READY_RETRY_AFTER_SECONDS } from "./grpc-errors.js";
import { HealthMonitor, type HealthCheckReport } from "./health-monitor.js";
import { launchSidecar, type LaunchedSidecar } from "./launch-sidecar.js";
import { backoffDelay, RestartBudget } from "./restart-budget.js";
import { type SidecarClient, SPEECH_SERVICE_HEALTH_NAME } from "./sidecar-client.js";
import type { ProcessExit, SidecarProcess } from "./sidecar-process.js";
import { describeExit, SidecarStartError } from "./sidecar-start-error.js";
import { buildSnapshot, type SupervisorSnapshot, type SupervisorState } from "./supervisor-snapshot.js";
import { SidecarCrashedError, SupervisedBackend } from "./supervised-backend.js";
import {
  buildSpawnSpec,
  READINESS_POLL_MS,
  resolveSupervisorOptions,
  type ResolvedSupervisorOptions,
  type SupervisorOptions,
} from "./supervisor-options.js";
import { cancellableDelay, settleWithin } from "./with-timeout.js";

/** How long a dropped connection's process gets to be seen exiting before it counts as alive. */
const EXIT_NOTICE_MS = 500;

/** Re-exported so callers import the supervisor's types from one module. */
export type { SupervisorSnapshot, SupervisorState } from "./supervisor-snapshot.js";

/** Events, so callers (and tests) wait on facts instead of sleeping. */
export interface SupervisorEvents {
  state: [state: SupervisorState, previous: SupervisorState];
  ready: [engines: LoadedEngines];
  /** `unexpected`: the ready process died without stop() (a restart follows). */
  exit: [exit: ProcessExit, unexpected: boolean];
  /** A launch attempt is scheduled `delayMs` from now (after a crash, a failed attempt or a cool-down). */
  restart: [restartNumber: number, delayMs: number];
  health: [report: HealthCheckReport];
  /** A launch attempt failed (`coolingDown`: the budget is used up and the state is now `failed`). */
  failed: [error: SidecarStartError, coolingDown: boolean];
}

const NOT_READY_MESSAGES: Record<SupervisorState, string> = {
  stopped: "The inference engine is not running.",
  starting: "The inference engine is starting.",
  loading: "The inference engine is loading its model.",
  ready: "The inference engine is not ready.",
  restarting: "The inference engine is restarting.",
  failed: "The inference engine could not be started; it is retried automatically (see /api/v1/health).",
  stopping: "The inference engine is shutting down.",
};

interface Waiter {
  resolve(engines: LoadedEngines): void;
  reject(error: Error): void;
}

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
  private readonly engineMemory = new EngineLoadMemory();
  /** Given to each sidecar at spawn; only our client can then call its admin RPCs. */
  private readonly adminToken = randomBytes(32).toString("base64url");
  private current: SupervisorState = "stopped";
  private child: SidecarProcess | undefined;
  private ready: LaunchedSidecar | undefined;
  private lastExit: ProcessExit | undefined;
  private lastStartFailure: { reason: SidecarStartError["reason"]; at: Date } | undefined;
  private nextAttemptAt: Date | undefined;
  private lastEngines: LoadedEngines | undefined;
  private startedAt: Date | undefined;
  private restarts = 0;
  private attempt = 0;
  private stopping = false;
  private waiters: Waiter[] = [];
  private stopPromise: Promise<void> | undefined;
  private lifecycle: Promise<unknown> = Promise.resolve();
  private backoffAbort: AbortController | undefined;

  constructor(options: SupervisorOptions) {
    super();
    this.options = resolveSupervisorOptions(options);
    this.log = options.logger.child({ component: "supervisor" });
    this.budget = new RestartBudget(this.options.restart);
    this.supervised = new SupervisedBackend({
      client: () => this.requireReady().client,
      engines: () => this.requireReady().engines,
      whenRecovered: (client, timeoutMs) => this.whenRecovered(client, timeoutMs),
    });
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
   * Starts the sidecar (when stopped) and resolves with the loaded engines once it is ready. If the launch attempt
   * it waits on fails, it rejects with that SidecarStartError, so a broken setup is visible at boot; the
   * supervisor keeps retrying in the background either way, until stop().
   */
  start(): Promise<LoadedEngines> {
    if (this.current === "stopping") return Promise.reject(new Error("The supervisor is stopping."));
    if (this.current === "ready" && this.lastEngines) return Promise.resolve(this.lastEngines);
    const outcome = new Promise<LoadedEngines>((resolve, reject) => this.waiters.push({ resolve, reject }));
    if (this.current === "stopped") {
      this.stopping = false;
      this.stopPromise = undefined;
      this.budget.reset();
      this.restarts = 0;
      this.attempt = 0;
      this.lifecycle = this.keepAlive({ waitFirst: false });
    }
    return outcome;
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
      lastStartFailure: this.lastStartFailure,
      nextAttemptAt: this.nextAttemptAt,
      startedAt: this.startedAt,
      engines: this.lastEngines,
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
    this.nextAttemptAt = undefined;
    this.setState("stopped");
  }

  /** Launch attempts until one reaches `ready` or stop() is called; each outcome settles the waiters. */
  private async keepAlive({ waitFirst }: { waitFirst: boolean }): Promise<void> {
    let lastError: SidecarStartError | undefined;
    for (let first = true; !this.stopping; first = false) {
      if (waitFirst || !first) await this.waitBeforeAttempt(lastError);
      if (this.stopping) break;
      try {
        this.settleWaiters(await this.launchOnce());
        return;
      } catch (error) {
        lastError = asStartError(error);
        this.settleWaiters(lastError);
        if (this.stopping) break;
        this.noteFailedAttempt(lastError);
      }
    }
    this.settleWaiters(new SidecarStartError("stopped", "The supervisor was stopped.", undefined));
  }

  private noteFailedAttempt(error: SidecarStartError): void {
    this.budget.recordFailure();
    this.lastStartFailure = { reason: error.reason, at: new Date() };
    const coolingDown = this.budget.exhausted();
    // The message may quote the sidecar's stderr: it goes to the log, never to /api/v1/health.
    this.log.error({ err: error, reason: error.reason, coolingDown }, "sidecar start attempt failed");
    this.emit("failed", error, coolingDown);
  }

  /** Backoff (or, past the budget, the cool-down as `failed`) before the next launch attempt. */
  private async waitBeforeAttempt(lastError: SidecarStartError | undefined): Promise<void> {
    const coolingDown = lastError !== undefined && this.budget.exhausted();
    const { restart } = this.options;
    const delayMs = coolingDown ? restart.cooldownMs : backoffDelay(this.attempt++, restart, this.options.random);
    this.restarts += 1;
    this.nextAttemptAt = new Date(Date.now() + delayMs);
    this.setState(coolingDown ? "failed" : "restarting");
    this.emit("restart", this.restarts, delayMs);
    this.log.warn({ restart: this.restarts, delayMs, coolingDown }, "restarting the sidecar");
    this.backoffAbort = new AbortController();
    await cancellableDelay(delayMs, this.backoffAbort.signal);
    this.nextAttemptAt = undefined;
  }

  private settleWaiters(outcome: LoadedEngines | Error): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const waiter of waiters) {
      if (outcome instanceof Error) waiter.reject(outcome);
      else waiter.resolve(outcome);
    }
  }

  /** One launch attempt, ending in `ready`; throws SidecarStartError. */
  private async launchOnce(): Promise<LoadedEngines> {
    this.setState("starting");
    const loadRequest = this.engineMemory.requestFor(this.options.loadRequest);
    const launched = await launchSidecar({
      spec: buildSpawnSpec(this.options, process.pid, this.adminToken),
      startupTimeoutMs: this.options.startupTimeoutMs,
      loadTimeoutMs: this.options.loadTimeoutMs,
      readinessPollMs: READINESS_POLL_MS,
      stopGraceMs: this.options.stopGraceMs,
      loadRequest,
      clientOptions: {
        maxMessageBytes: this.options.args.maxMessageMb * 1024 * 1024,
        timeouts: this.options.clientTimeouts,
        adminToken: this.adminToken,
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
    return this.becomeReady(launched, this.engineMemory.loaded(this.options.loadRequest, launched.engines));
  }

  private becomeReady(launched: LaunchedSidecar, engines: LoadedEngines): LoadedEngines {
    this.ready = launched;
    this.lastEngines = engines;
    this.startedAt = new Date();
    this.budget.reset();
    this.log.info({ pid: launched.process.pid, address: launched.handshake.address, engines }, "sidecar ready");
    this.setState("ready");
    this.emit("ready", engines);
    this.health.start();
    return engines;
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
    // A sidecar that had been stable restarts quickly; one that keeps crashing backs off further each time.
    if (this.startedAt && Date.now() - this.startedAt.getTime() >= this.options.restart.stableMs) this.attempt = 0;
    const client = ready.client;
    this.ready = undefined;
    this.startedAt = undefined;
    // Calls in flight learn now, with a retryable error, instead of waiting on a dead connection.
    client.failActiveCalls(new SidecarCrashedError(NOT_READY_MESSAGES.restarting, NOT_READY_RETRY_AFTER_SECONDS));
    client.close();
    this.lifecycle = this.keepAlive({ waitFirst: true });
  }

  /** See CurrentSidecar.whenRecovered. The process's exit is noticed a moment after its connection drops. */
  private async whenRecovered(client: SidecarClient, timeoutMs: number): Promise<void> {
    const failed = this.ready?.client === client ? this.ready.process : undefined;
    if (failed) await settleWithin(failed.exited, EXIT_NOTICE_MS);
    if (failed?.running) return;
    if (this.current === "ready") return;
    if (this.stopping) throw new ModelNotReadyError(NOT_READY_MESSAGES.stopping, NOT_READY_RETRY_AFTER_SECONDS);
    await once(this, "ready", { signal: AbortSignal.timeout(Math.max(timeoutMs, 0)) });
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

  private requireReady(): { client: SidecarClient; engines: LoadedEngines } {
    if (this.current === "ready" && this.ready && this.lastEngines) {
      return { client: this.ready.client, engines: this.lastEngines };
    }
    throw new ModelNotReadyError(NOT_READY_MESSAGES[this.current], this.retryAfterSeconds());
  }

  /** Until the next attempt is due plus a typical start-up, or the usual few seconds. */
  private retryAfterSeconds(): number {
    if (!this.nextAttemptAt) return NOT_READY_RETRY_AFTER_SECONDS;
    const untilAttempt = Math.max(0, this.nextAttemptAt.getTime() - Date.now());
    return Math.ceil(untilAttempt / 1000) + NOT_READY_RETRY_AFTER_SECONDS;
  }

  private setState(next: SupervisorState): void {
    const previous = this.current;
    if (previous === next) return;
    this.current = next;
    this.log.debug({ state: next, previous }, "sidecar supervisor state");
    this.emit("state", next, previous);
  }
}

function asStartError(error: unknown): SidecarStartError {
  if (error instanceof SidecarStartError) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new SidecarStartError("exited", `The sidecar failed while starting: ${message}`, undefined);
}
