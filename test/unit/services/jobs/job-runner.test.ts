/**
 * The job runner over a real store (temp database) and a real work folder, with executors whose every run a
 * test settles by hand: concurrency and order, success and failure, retries while the engine is busy, pause,
 * resume, cancel and remove, the requeue at start and the stop at shutdown, and onFinished.
 */
import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "chai";
import {
  ConflictError,
  InferenceFailedError,
  NotFoundError,
  OverloadedError,
  ValidationError,
} from "../../../../src/domain/errors.js";
import { createRootLogger } from "../../../../src/logging.js";
import { JobRunner, type JobContext, type JobExecutor } from "../../../../src/services/jobs/job-runner.js";
import { JobStore } from "../../../../src/services/jobs/job-store.js";
import type { JobEvent, JobRecord, JobResultVersion, JobState } from "../../../../src/services/jobs/job-types.js";
import { JobWorkspace } from "../../../../src/services/jobs/job-workspace.js";
import { openDatabase, type Db } from "../../../../src/storage/db/database.js";
import { rejection } from "../../../helpers/rejection.js";
import { newJob } from "../../../helpers/new-job.js";

/** One call of a fake executor: the job as it was given, its context, and how the test settles it. */
interface Run {
  job: JobRecord;
  context: JobContext;
  resolve(version?: JobResultVersion): void;
  reject(error: unknown): void;
}

const version = (n = 1): JobResultVersion => ({
  version: n,
  created_at: "2026-01-01T00:00:00.000Z",
  duration_seconds: 1.5,
  files: { wav: `jobs/out-v${n}.wav` },
  warnings: [],
});

/** An executor whose runs stay pending until the test settles them; an aborted run rejects with the reason. */
class ControlledExecutor implements JobExecutor {
  readonly runs: Run[] = [];
  private waiters: Array<() => void> = [];

  run(job: JobRecord, context: JobContext): Promise<JobResultVersion> {
    return new Promise<JobResultVersion>((resolve, reject) => {
      const abort = () => reject(context.signal.reason);
      if (context.signal.aborted) abort();
      else context.signal.addEventListener("abort", abort, { once: true });
      this.runs.push({ job, context, resolve: (v = version(job.versions.length + 1)) => resolve(v), reject });
      for (const wake of this.waiters) wake();
    });
  }

  /** Resolves with run `n` (1-based) once it has started. */
  async started(n: number): Promise<Run> {
    await until(
      () => this.runs.length >= n,
      `run ${n} to start`,
      (wake) => this.waiters.push(wake),
    );
    return this.runs[n - 1]!;
  }
}

/**
 * Waits until `condition` holds: re-checked every 5 ms (and whenever `subscribe`'s wake is called), failing
 * after a deadline so a broken runner fails the test instead of hanging it.
 */
async function until(condition: () => boolean, what: string, subscribe?: (wake: () => void) => void): Promise<void> {
  const deadline = Date.now() + 5_000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, 5);
      subscribe?.(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }
}

describe("services/jobs JobRunner", () => {
  let dir: string;
  let db: Db;
  let store: JobStore;
  let workspace: JobWorkspace;
  let executor: ControlledExecutor;
  let finished: JobRecord[];
  let runners: JobRunner[];

  const makeRunner = (options: { concurrency?: number; maxRetryDelayMs?: number } = {}) => {
    const runner = new JobRunner({
      store,
      workspace,
      executors: { tts: executor, vc: executor, concat: executor },
      concurrency: options.concurrency ?? 1,
      maxRetryDelayMs: options.maxRetryDelayMs ?? 0,
      onFinished: async (job) => {
        finished.push(job);
      },
      log: createRootLogger("silent"),
    });
    runners.push(runner);
    return runner;
  };
  const stateOf = (id: string): JobState | undefined => store.get(id)?.state;
  const untilState = (id: string, state: JobState) =>
    until(() => stateOf(id) === state, `${id} to be ${state} (it is ${stateOf(id)})`);

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), "job-runner-"));
    db = openDatabase(dir);
    store = new JobStore(db);
    workspace = new JobWorkspace(join(dir, "jobs"));
    executor = new ControlledExecutor();
    finished = [];
    runners = [];
  });
  afterEach(async () => {
    // Every run the test left open is aborted, so no promise outlives the database.
    await Promise.all(runners.map((runner) => runner.stop()));
    db.close();
    await rm(dir, { recursive: true, force: true });
  });

  it("runs at most `concurrency` jobs: with 1, the second waits queued until the first ends", async () => {
    const runner = makeRunner({ concurrency: 1 });
    runner.start();
    runner.submit(newJob("job_a"));
    runner.submit(newJob("job_b"));
    const first = await executor.started(1);
    expect(first.job.id).to.equal("job_a");
    expect(first.job.state).to.equal("running");
    expect([stateOf("job_a"), stateOf("job_b")]).to.deep.equal(["running", "queued"]);
    expect(executor.runs).to.have.length(1);
    first.resolve();
    const second = await executor.started(2);
    expect(second.job.id).to.equal("job_b");
    await untilState("job_a", "succeeded");
    second.resolve();
    await untilState("job_b", "succeeded");
    expect(executor.runs).to.have.length(2);
  });

  it("runs two at once with concurrency 2, and a third only when one of them ends", async () => {
    const runner = makeRunner({ concurrency: 2 });
    runner.start();
    for (const id of ["job_1", "job_2", "job_3"]) runner.submit(newJob(id));
    await executor.started(2);
    expect(executor.runs.map((run) => run.job.id)).to.deep.equal(["job_1", "job_2"]);
    expect(stateOf("job_3")).to.equal("queued");
    executor.runs[1]!.resolve();
    expect((await executor.started(3)).job.id).to.equal("job_3");
    expect(stateOf("job_1")).to.equal("running");
  });

  it("runs the oldest queued job first, whatever the ids", async () => {
    store.insert(newJob("job_a_newer"), 2_000);
    store.insert(newJob("job_z_older"), 1_000);
    const runner = makeRunner();
    runner.start();
    (await executor.started(1)).resolve();
    await executor.started(2);
    expect(executor.runs.map((run) => run.job.id)).to.deep.equal(["job_z_older", "job_a_newer"]);
  });

  it("stores the version a successful run returns and tells subscribers `done`", async () => {
    const runner = makeRunner();
    runner.start();
    const events: JobEvent[] = [];
    runner.submit(newJob("job_ok"));
    runner.subscribe("job_ok", (event) => events.push(event));
    (await executor.started(1)).resolve(version(1));
    await untilState("job_ok", "succeeded");
    const job = store.get("job_ok")!;
    expect(job.versions).to.deep.equal([version(1)]);
    expect(job.error).to.equal(null);
    expect(job.finishedMs).to.be.a("number");
    const done = events.find((event) => event.type === "done");
    expect(done?.data).to.deep.equal({ state: "succeeded", version: version(1) });
    // Stored too, after the earlier state events, for clients that connect later.
    const stored = store.eventsAfter("job_ok", 0);
    expect(stored.map((event) => event.type)).to.deep.equal(["state", "state", "done"]);
    expect(stored.map((event) => event.data.state)).to.deep.equal(["queued", "running", "succeeded"]);
    expect(stored.at(-1)).to.deep.equal(done);
  });

  it("stops telling a listener once it unsubscribed", async () => {
    const runner = makeRunner();
    runner.start();
    const events: JobEvent[] = [];
    const unsubscribe = runner.subscribe("job_u", (event) => events.push(event));
    runner.submit(newJob("job_u"));
    const run = await executor.started(1);
    unsubscribe();
    run.resolve();
    await untilState("job_u", "succeeded");
    expect(events.map((event) => event.data.state)).to.deep.equal(["queued", "running"]);
  });

  it("fails a job whose executor throws a DomainError with that error's code and message", async () => {
    const runner = makeRunner();
    runner.start();
    const events: JobEvent[] = [];
    runner.submit(newJob("job_bad"));
    runner.subscribe("job_bad", (event) => events.push(event));
    (await executor.started(1)).reject(new InferenceFailedError("the engine could not speak this"));
    await untilState("job_bad", "failed");
    const error = { code: "INFERENCE_FAILED", message: "the engine could not speak this" };
    expect(store.get("job_bad")).to.deep.include({ error, versions: [] });
    expect(store.get("job_bad")!.finishedMs).to.be.a("number");
    expect(events.at(-1)).to.deep.include({ type: "failed", data: { error } });
  });

  it("fails a job whose executor throws a plain Error with INTERNAL_ERROR and a message hiding the details", async () => {
    const runner = makeRunner();
    runner.start();
    runner.submit(newJob("job_crash"));
    (await executor.started(1)).reject(new Error("secret path /etc/internal broke"));
    await untilState("job_crash", "failed");
    const { error } = store.get("job_crash")!;
    expect(error?.code).to.equal("INTERNAL_ERROR");
    expect(error?.message).to.be.a("string").and.not.include("secret");
    expect(error?.message).to.not.equal("");
  });

  it("does not retry a job whose error is not retryable", async () => {
    const runner = makeRunner();
    runner.start();
    runner.submit(newJob("job_invalid"));
    (await executor.started(1)).reject(new ValidationError("bad request"));
    await untilState("job_invalid", "failed");
    expect(executor.runs).to.have.length(1);
    expect(store.get("job_invalid")!.error).to.deep.equal({ code: "VALIDATION_ERROR", message: "bad request" });
  });

  it("retries a job after the engine was overloaded, then stores its success", async () => {
    const runner = makeRunner({ maxRetryDelayMs: 1 });
    runner.start();
    runner.submit(newJob("job_busy"));
    (await executor.started(1)).reject(new OverloadedError("the queue is full", 30));
    (await executor.started(2)).reject(new OverloadedError("still full", 30));
    const third = await executor.started(3);
    expect(stateOf("job_busy")).to.equal("running");
    expect(third.job.id).to.equal("job_busy");
    third.resolve(version(1));
    await untilState("job_busy", "succeeded");
    expect(store.get("job_busy")!.versions).to.deep.equal([version(1)]);
    expect(store.eventsAfter("job_busy", 0).map((event) => event.type)).to.not.include("failed");
    expect(finished.map((job) => job.id)).to.deep.equal(["job_busy"]);
  });

  it("pauses a job that waits to retry without waiting for the retry delay", async () => {
    const runner = makeRunner({ maxRetryDelayMs: 60_000 });
    runner.start();
    runner.submit(newJob("job_wait"));
    (await executor.started(1)).reject(new OverloadedError("the queue is full", 60));
    // Once the rejection has been handled the runner waits up to a minute; a pause ends the wait.
    await new Promise((resolve) => setImmediate(resolve));
    runner.pause("job_wait");
    await untilState("job_wait", "paused");
    expect(executor.runs).to.have.length(1);
  });

  it("pauses a running job: its signal aborts, it ends paused; resume queues it and it runs again", async () => {
    const runner = makeRunner();
    runner.start();
    runner.submit(newJob("job_p"));
    const first = await executor.started(1);
    const paused = runner.pause("job_p");
    expect(first.context.signal.aborted).to.equal(true);
    // The answer waits until the job has stopped, so it already says paused.
    expect((await paused).state).to.equal("paused");
    expect(store.get("job_p")!.finishedMs).to.equal(null);
    expect(finished).to.deep.equal([]);
    // Paused is not finished: pausing again is allowed and changes nothing.
    expect((await runner.pause("job_p")).state).to.equal("paused");

    const resumed = runner.resume("job_p");
    expect(resumed.state).to.be.oneOf(["queued", "running"]);
    const second = await executor.started(2);
    expect(second.job.id).to.equal("job_p");
    expect(second.context.signal.aborted).to.equal(false);
    second.resolve();
    await untilState("job_p", "succeeded");
    const states = store.eventsAfter("job_p", 0).map((event) => event.data.state);
    expect(states).to.deep.equal(["queued", "running", "paused", "queued", "running", "succeeded"]);
  });

  it("pauses a queued job, which then stays out of the queue until resumed", async () => {
    const runner = makeRunner({ concurrency: 1 });
    runner.start();
    runner.submit(newJob("job_first"));
    runner.submit(newJob("job_later"));
    const first = await executor.started(1);
    expect((await runner.pause("job_later")).state).to.equal("paused");
    first.resolve();
    await untilState("job_first", "succeeded");
    expect(stateOf("job_later")).to.equal("paused");
    expect(executor.runs).to.have.length(1);
    runner.resume("job_later");
    expect((await executor.started(2)).job.id).to.equal("job_later");
  });

  it("refuses to resume a job that is not paused, and to pause a finished one (ConflictError)", async () => {
    const runner = makeRunner();
    runner.start();
    runner.submit(newJob("job_r"));
    const run = await executor.started(1);
    expect(() => runner.resume("job_r")).to.throw(ConflictError);
    run.resolve();
    await untilState("job_r", "succeeded");
    expect(await rejection(runner.pause("job_r"))).to.be.instanceOf(ConflictError);
    expect(() => runner.resume("job_missing")).to.throw(NotFoundError);
  });

  it("cancels a queued job at once, and it never runs", async () => {
    const runner = makeRunner({ concurrency: 1 });
    runner.start();
    runner.submit(newJob("job_running"));
    runner.submit(newJob("job_queued"));
    const first = await executor.started(1);
    const cancelled = await runner.cancel("job_queued");
    expect(cancelled.state).to.equal("cancelled");
    expect(cancelled.finishedMs).to.be.a("number");
    first.resolve();
    await untilState("job_running", "succeeded");
    expect(executor.runs.map((run) => run.job.id)).to.deep.equal(["job_running"]);
    expect(stateOf("job_queued")).to.equal("cancelled");
  });

  it("cancels a running job: its signal aborts and cancel resolves with the job cancelled", async () => {
    const runner = makeRunner();
    runner.start();
    runner.submit(newJob("job_c"));
    const run = await executor.started(1);
    const cancelled = await runner.cancel("job_c");
    expect(run.context.signal.aborted).to.equal(true);
    expect(cancelled.state).to.equal("cancelled");
    expect(cancelled.error).to.equal(null);
    expect(store.eventsAfter("job_c", 0).at(-1)).to.deep.include({ type: "state", data: { state: "cancelled" } });
    expect(finished.map((job) => [job.id, job.state])).to.deep.equal([["job_c", "cancelled"]]);
  });

  it("refuses to cancel a finished job (ConflictError) and leaves it as it was", async () => {
    const runner = makeRunner();
    runner.start();
    runner.submit(newJob("job_done"));
    (await executor.started(1)).resolve();
    await untilState("job_done", "succeeded");
    expect(await rejection(runner.cancel("job_done"))).to.be.instanceOf(ConflictError);
    expect(stateOf("job_done")).to.equal("succeeded");
    expect(await rejection(runner.cancel("job_missing"))).to.be.instanceOf(NotFoundError);
  });

  it("removes a running job: stops it, deletes its record and events and its work folder", async () => {
    const runner = makeRunner();
    runner.start();
    runner.submit(newJob("job_rm"));
    const run = await executor.started(1);
    await workspace.saveSegment("job_rm", 0, { sampleRate: 24000, samples: new Float32Array(10) });
    const folder = join(dir, "jobs", "job_rm");
    expect(existsSync(folder)).to.equal(true);
    await runner.remove("job_rm");
    expect(run.context.signal.aborted).to.equal(true);
    expect(store.get("job_rm")).to.equal(undefined);
    expect(store.eventsAfter("job_rm", 0)).to.deep.equal([]);
    expect(existsSync(folder)).to.equal(false);
    expect(finished).to.deep.equal([]);
    expect(await rejection(runner.remove("job_rm"))).to.be.instanceOf(NotFoundError);
  });

  it("removes a finished job and its work folder, leaving other jobs' folders", async () => {
    const runner = makeRunner();
    runner.start();
    runner.submit(newJob("job_gone"));
    await workspace.saveSegment("job_gone", 0, { sampleRate: 24000, samples: new Float32Array(4) });
    await workspace.saveSegment("job_other", 0, { sampleRate: 24000, samples: new Float32Array(4) });
    (await executor.started(1)).resolve();
    await untilState("job_gone", "succeeded");
    await runner.remove("job_gone");
    expect(store.get("job_gone")).to.equal(undefined);
    expect(existsSync(join(dir, "jobs", "job_gone"))).to.equal(false);
    expect((await workspace.loadSegment("job_other", 0)).samples).to.have.length(4);
  });

  it("start() queues again the jobs left running and runs them", async () => {
    store.insert(newJob("job_interrupted"), 1_000);
    store.setState("job_interrupted", "running");
    store.insert(newJob("job_paused"), 500);
    store.setState("job_paused", "paused");
    const runner = makeRunner();
    runner.start();
    const run = await executor.started(1);
    expect(run.job.id).to.equal("job_interrupted");
    run.resolve();
    await untilState("job_interrupted", "succeeded");
    expect(stateOf("job_paused")).to.equal("paused");
    expect(executor.runs).to.have.length(1);
  });

  it("stop() aborts the running jobs, leaves them running in the store, starts no others; a new start resumes", async () => {
    const runner = makeRunner({ concurrency: 1 });
    runner.start();
    runner.submit(newJob("job_s1"));
    runner.submit(newJob("job_s2"));
    const run = await executor.started(1);
    await runner.stop();
    expect(run.context.signal.aborted).to.equal(true);
    expect([stateOf("job_s1"), stateOf("job_s2")]).to.deep.equal(["running", "queued"]);
    expect(executor.runs).to.have.length(1);
    expect(finished).to.deep.equal([]);

    // The next server start picks up where this one stopped.
    const next = makeRunner({ concurrency: 1 });
    next.start();
    const resumed = await executor.started(2);
    expect(resumed.job.id).to.equal("job_s1");
    expect(resumed.job.state).to.equal("running");
  });

  it("calls onFinished exactly once per job that ends, with its final record", async () => {
    const runner = makeRunner({ concurrency: 3 });
    runner.start();
    for (const id of ["job_ok", "job_fail", "job_cancel"]) runner.submit(newJob(id));
    await executor.started(3);
    const byId = (id: string) => executor.runs.find((run) => run.job.id === id)!;
    byId("job_ok").resolve();
    byId("job_fail").reject(new InferenceFailedError("no"));
    await runner.cancel("job_cancel");
    await until(() => finished.length >= 3, "three finished jobs");
    // Pausing and resuming is not finishing.
    runner.submit(newJob("job_paused"));
    await executor.started(4);
    runner.pause("job_paused");
    await untilState("job_paused", "paused");
    expect(finished.map((job) => [job.id, job.state]).sort()).to.deep.equal([
      ["job_cancel", "cancelled"],
      ["job_fail", "failed"],
      ["job_ok", "succeeded"],
    ]);
  });
});
