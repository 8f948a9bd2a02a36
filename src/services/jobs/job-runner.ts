/**
 * Runs queued jobs, at most `concurrency` at once, oldest first. Their calls go to the engine at batch
 * priority, so interactive requests are served ahead of them. A job the server stopped in the middle of is
 * queued again at the next start and resumes from its first unfinished segment. While the engine is busy or
 * restarting a job waits and tries again instead of failing: it has no client waiting on a deadline.
 *
 * Pause, cancel and delete abort the running call, so the engine stops within one segment; what was finished
 * stays (pause) or goes (delete).
 */
import { setTimeout as delay } from "node:timers/promises";
import { ConflictError, DomainError, NotFoundError, RetryableError } from "../../domain/errors.js";
import type { Logger } from "../../logging.js";
import type { JobStore, NewJob } from "./job-store.js";
import { FINISHED_STATES, type JobEvent, type JobRecord, type JobResultVersion, type JobType } from "./job-types.js";
import type { JobWorkspace } from "./job-workspace.js";

export interface JobContext {
  signal: AbortSignal;
  log: Logger;
  /** Records an event for the job's listeners and for clients that resume later. */
  emit(type: JobEvent["type"], data: Record<string, unknown>): void;
}

export interface JobExecutor {
  /** Does, or continues, the job's work and publishes its result. Stops with the abort reason on `signal`. */
  run(job: JobRecord, context: JobContext): Promise<JobResultVersion>;
}

export interface JobRunnerOptions {
  store: JobStore;
  workspace: JobWorkspace;
  executors: Readonly<Record<JobType, JobExecutor>>;
  /** Jobs running at once (config jobs.concurrency). */
  concurrency: number;
  /** The longest wait before a job tries again after the engine was busy or restarting. */
  maxRetryDelayMs: number;
  /** Told each job that ended (succeeded, failed or cancelled); never throws. */
  onFinished(job: JobRecord): Promise<void>;
  log: Logger;
}

/** Why a running job is being stopped. */
type StopReason = "pause" | "cancel" | "delete" | "shutdown";

class JobStopped extends Error {
  constructor(readonly reason: StopReason) {
    super(`job ${reason}`);
  }
}

export class JobRunner {
  private readonly running = new Map<string, { controller: AbortController; done: Promise<void> }>();
  private readonly listeners = new Map<string, Set<(event: JobEvent) => void>>();
  private stopped = false;

  constructor(private readonly options: JobRunnerOptions) {}

  /** Queues again the jobs an earlier run of the server left running, then starts work. */
  start(): void {
    const resumed = this.options.store.requeueInterrupted();
    if (resumed.length > 0) this.options.log.info({ jobs: resumed }, "jobs: resuming jobs interrupted by a restart");
    for (const id of resumed) this.emit(id, "state", { state: "queued", resumed: true });
    this.pump();
  }

  submit(job: NewJob): JobRecord {
    const record = this.options.store.insert(job);
    this.emit(record.id, "state", { state: "queued" });
    this.pump();
    return record;
  }

  /** Keeps the finished segments; a running job stops (resolving once it has) after aborting its current call. */
  async pause(id: string): Promise<JobRecord> {
    const job = this.existing(id);
    if (job.state === "queued") this.transition(id, "paused");
    else if (job.state === "running") await this.stopRunning(id, "pause");
    else if (job.state !== "paused") throw new ConflictError(`a ${job.state} job cannot be paused`);
    return this.existing(id);
  }

  resume(id: string): JobRecord {
    const job = this.existing(id);
    if (job.state !== "paused") throw new ConflictError(`only a paused job can be resumed; this one is ${job.state}`);
    this.transition(id, "queued");
    this.pump();
    return this.existing(id);
  }

  async cancel(id: string): Promise<JobRecord> {
    const job = this.existing(id);
    if (FINISHED_STATES.has(job.state)) throw new ConflictError(`the job has already ${job.state}`);
    if (job.state === "running") await this.stopRunning(id, "cancel");
    else this.finishAs(id, "cancelled");
    return this.existing(id);
  }

  /** Stops the job if it runs and forgets it: its record, events and work folder (its published files stay). */
  async remove(id: string): Promise<void> {
    this.existing(id);
    if (this.running.has(id)) await this.stopRunning(id, "delete");
    this.options.store.delete(id);
    await this.options.workspace.remove(id);
  }

  /** Queues a finished job again, after a re-render put segments back to pending. */
  requeue(id: string): void {
    this.options.store.setState(id, "queued");
    this.emit(id, "state", { state: "queued" });
    this.pump();
  }

  /** Live events of one job; returns the unsubscribe function. */
  subscribe(id: string, listener: (event: JobEvent) => void): () => void {
    const set = this.listeners.get(id) ?? new Set();
    set.add(listener);
    this.listeners.set(id, set);
    return () => {
      set.delete(listener);
      if (set.size === 0) this.listeners.delete(id);
    };
  }

  /** Stops the running jobs; they stay `running` in the store, so the next start resumes them. */
  async stop(): Promise<void> {
    this.stopped = true;
    await Promise.all([...this.running.keys()].map((id) => this.stopRunning(id, "shutdown")));
  }

  private existing(id: string): JobRecord {
    const job = this.options.store.get(id);
    if (!job) throw new NotFoundError(`Job not found: ${id}`);
    return job;
  }

  private async stopRunning(id: string, reason: StopReason): Promise<void> {
    const run = this.running.get(id);
    if (!run) return;
    run.controller.abort(new JobStopped(reason));
    await run.done;
  }

  private pump(): void {
    while (!this.stopped && this.running.size < this.options.concurrency) {
      const next = this.options.store.nextQueued();
      if (!next) return;
      this.transition(next.id, "running");
      const controller = new AbortController();
      const done = this.run(next.id, controller.signal).finally(() => {
        this.running.delete(next.id);
        this.pump();
      });
      this.running.set(next.id, { controller, done });
    }
  }

  private async run(id: string, signal: AbortSignal): Promise<void> {
    const log = this.options.log.child({ job: id });
    const context: JobContext = { signal, log, emit: (type, data) => this.emit(id, type, data) };
    try {
      const version = await this.runWithRetries(id, context);
      this.options.store.addVersion(id, version);
      this.finishAs(id, "succeeded", undefined, { version });
    } catch (error) {
      this.settleFailure(id, error, signal, log);
    }
  }

  /** Runs the executor until it succeeds, fails for good, or is stopped; busy or restarting engines are waited out. */
  private async runWithRetries(id: string, context: JobContext): Promise<JobResultVersion> {
    const executor = this.options.executors[this.existing(id).type];
    for (;;) {
      try {
        return await executor.run(this.existing(id), context);
      } catch (error) {
        if (context.signal.aborted || !(error instanceof RetryableError)) throw error;
        const waitMs = Math.min(error.retryAfterSeconds * 1000, this.options.maxRetryDelayMs);
        context.log.info({ err: error, waitMs }, "jobs: the engine is not available; trying again");
        await delay(waitMs, undefined, { signal: context.signal });
      }
    }
  }

  /** A stopped job ends as its stop asked, whatever error the abort surfaced as; anything else failed it. */
  private settleFailure(id: string, error: unknown, signal: AbortSignal, log: Logger): void {
    const reason = signal.reason instanceof JobStopped ? signal.reason.reason : undefined;
    if (reason === "pause") this.transition(id, "paused");
    else if (reason === "cancel") this.finishAs(id, "cancelled");
    else if (reason === undefined) {
      log.warn({ err: error }, "jobs: job failed");
      const failure = { code: error instanceof DomainError ? error.code : "INTERNAL_ERROR", message: messageOf(error) };
      this.finishAs(id, "failed", failure);
    }
    // delete and shutdown leave the record as it is: gone, or running until the next start resumes it.
  }

  private transition(id: string, state: "queued" | "running" | "paused"): void {
    this.options.store.setState(id, state);
    this.emit(id, "state", { state });
  }

  private finishAs(
    id: string,
    state: "succeeded" | "failed" | "cancelled",
    error?: { code: string; message: string },
    extra: Record<string, unknown> = {},
  ): void {
    this.options.store.setState(id, state, error ?? null);
    if (state === "failed") this.emit(id, "failed", { error });
    else this.emit(id, state === "succeeded" ? "done" : "state", { state, ...extra });
    void this.options.onFinished(this.existing(id));
  }

  private emit(id: string, type: JobEvent["type"], data: Record<string, unknown>): void {
    const event = this.options.store.appendEvent(id, type, data);
    for (const listener of this.listeners.get(id) ?? []) listener(event);
  }
}

function messageOf(error: unknown): string {
  // Unexpected errors keep their details in the log; the job shows what a client can act on.
  return error instanceof DomainError ? error.message : "the job failed unexpectedly; see the server log";
}
