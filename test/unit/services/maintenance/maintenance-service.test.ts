/**
 * The cleanup scheduler with an injected clock, timer and run (no sleeps): startup run, schedule, runs that
 * never overlap, history, stop, and the audit entries of the runs clients ask for.
 */
import { expect } from "chai";
import type { AppConfig } from "../../../../src/config/app-config.js";
import { createRootLogger } from "../../../../src/logging.js";
import type { AuditEntry } from "../../../../src/services/auth/audit-log.js";
import type { CleanupRequest } from "../../../../src/services/maintenance/cleanup.js";
import type { CleanupReport } from "../../../../src/services/maintenance/cleanup-report.js";
import { MaintenanceService } from "../../../../src/services/maintenance/maintenance-service.js";
import type { LibraryStore } from "../../../../src/storage/library/library-store.js";

const HOUR = 3_600_000;
const START = Date.UTC(2026, 2, 1, 12);

function settings(overrides: Partial<AppConfig["maintenance"]> = {}): AppConfig["maintenance"] {
  return {
    cleanupOnStartup: true,
    cleanupIntervalMs: 5 * HOUR,
    tempMaxAgeMs: 7 * 24 * HOUR,
    tempMaxFiles: 200,
    outputsMaxBytes: 1,
    vcInputsMaxBytes: 1,
    enforceSizeLimits: false,
    warningThresholdPercent: 80,
    ...overrides,
  };
}

/** A report as a run would give, with `files` removed. */
function report(request: CleanupRequest, at: number, files = 1): CleanupReport {
  const time = new Date(at).toISOString();
  const action = { files_removed: 0, bytes_freed: 0, deleted_files: [], errors: [] };
  const size = { ...action, size_bytes: 0, max_size_bytes: 1, usage_percent: 0, enforced: false };
  const details = { deleted_files: [], errors: [], total_scanned: 0 };
  return {
    timestamp: time,
    trigger: request.trigger,
    actions: {
      corrupted_files_cleanup: {
        files_removed: files,
        bytes_freed: 0,
        directories_cleaned: 0,
        details: { outputs: details, reference_audio: details, vc_inputs: details },
      },
      temp_age_cleanup: { ...action, max_age_days: 7, folders_removed: [], live_files_skipped: 0 },
      temp_count_cleanup: { ...action, file_count: 0, max_files: 200 },
      output_size_cleanup: size,
      vc_inputs_size_cleanup: size,
    },
    total_files_removed: files,
    total_bytes_freed: 0,
    start_time: time,
    end_time: time,
    duration_seconds: 0,
    dry_run: request.dryRun,
    forced: request.trigger === "manual",
    warnings: [],
  };
}

/** A controllable world: the clock, the one pending timer, and the runs (each finishes when told to). */
function harness(overrides: Partial<AppConfig["maintenance"]> = {}) {
  const world = {
    now: START,
    timer: undefined as { run: () => void; delayMs: number } | undefined,
    runs: [] as Array<{ request: CleanupRequest; finish: () => void }>,
    audited: [] as Array<Omit<AuditEntry, "at">>,
  };
  const service = new MaintenanceService({
    settings: settings(overrides),
    tempRoot: "/nowhere",
    libraries: {} as Record<"voices" | "vc_inputs" | "outputs", LibraryStore>,
    log: createRootLogger("silent"),
    audit: { record: (entry) => world.audited.push(entry) },
    now: () => world.now,
    timer: (run, delayMs) => {
      world.timer = { run, delayMs };
      return () => (world.timer = undefined);
    },
    runner: (_context, request) =>
      new Promise((resolve) => world.runs.push({ request, finish: () => resolve(report(request, world.now)) })),
  });
  return { world, service };
}

/** Lets queued promise callbacks run. */
const settle = () => new Promise((resolve) => setImmediate(resolve));

describe("MaintenanceService scheduling", () => {
  it("runs once at start, then arms the schedule and runs again when it is due", async () => {
    const { world, service } = harness();
    const started = service.start();
    await settle();
    expect(world.runs.map((r) => r.request)).to.deep.equal([{ dryRun: false, trigger: "startup" }]);
    world.runs[0]!.finish();
    await started;
    expect(world.timer?.delayMs).to.equal(5 * HOUR);
    const status = service.status();
    expect(status.scheduler).to.include({ running: true, cleanup_count: 1, cleanup_interval_hours: 5 });
    expect(status.scheduler.next_cleanup_time).to.equal(new Date(START + 5 * HOUR).toISOString());

    world.now += 5 * HOUR;
    world.timer!.run();
    await settle();
    expect(world.runs[1]!.request.trigger).to.equal("scheduled");
    expect(service.status().scheduler.cleanup_in_progress).to.equal(true);
    world.runs[1]!.finish();
    await settle();
    expect(service.status().scheduler).to.include({ cleanup_count: 2, cleanup_in_progress: false });
    expect(world.timer?.delayMs).to.equal(5 * HOUR);
  });

  it("makes a request during a scheduled run wait for it, then run on its own", async () => {
    const { world, service } = harness({ cleanupOnStartup: false });
    await service.start();
    world.now += 5 * HOUR;
    world.timer!.run();
    await settle();
    const manual = service.cleanup({ dryRun: true, actor: "anonymous" });
    await settle();
    expect(world.runs).to.have.length(1);
    world.runs[0]!.finish();
    await settle();
    expect(world.runs).to.have.length(2);
    world.runs[1]!.finish();
    expect(await manual).to.include({ dry_run: true, forced: true, trigger: "manual" });
    // A dry run is remembered but not counted as a cleanup.
    const { scheduler, history } = service.status();
    expect(scheduler.cleanup_count).to.equal(1);
    expect(history.map((h) => [h.trigger, h.dry_run])).to.deep.equal([
      ["scheduled", false],
      ["manual", true],
    ]);
  });

  it("shows the last 5 runs and keeps nothing armed without an interval", async () => {
    const { world, service } = harness({ cleanupOnStartup: false, cleanupIntervalMs: 0 });
    await service.start();
    expect(world.timer).to.equal(undefined);
    for (let i = 0; i < 7; i += 1) {
      world.now += 1000;
      const run = service.cleanup({ dryRun: false, actor: "anonymous" });
      await settle();
      world.runs[i]!.finish();
      await run;
    }
    const { scheduler, history } = service.status();
    expect(scheduler).to.include({ running: false, cleanup_count: 7, next_cleanup_time: null });
    expect(history).to.have.length(5);
    expect(history[4]!.timestamp).to.equal(new Date(START + 7000).toISOString());
  });

  it("audits a real run a client asked for, once, with its counts; not a dry run nor the server's own runs", async () => {
    const { world, service } = harness();
    const started = service.start();
    await settle();
    world.runs[0]!.finish();
    await started;
    for (const dryRun of [true, false]) {
      const run = service.cleanup({ dryRun, actor: "key-1" });
      await settle();
      world.runs.at(-1)!.finish();
      await run;
    }
    expect(world.audited).to.have.length(1);
    expect(world.audited[0]).to.deep.include({ actor: "key-1", action: "maintenance.cleanup" });
    expect(world.audited[0]!.detail).to.deep.include({ files_removed: 1, bytes_freed: 0, errors: 0 });
    expect(world.audited[0]!.detail!.files_removed_by_action).to.include({ corrupted_files_cleanup: 1 });
  });

  it("arms waits longer than setTimeout allows in steps", async () => {
    const { world, service } = harness({ cleanupOnStartup: false, cleanupIntervalMs: 1000 * HOUR });
    await service.start();
    expect(world.timer!.delayMs).to.equal(2 ** 31 - 1);
    world.now += 2 ** 31 - 1;
    world.timer!.run();
    await settle();
    expect(world.runs).to.have.length(0);
    expect(world.timer!.delayMs).to.equal(1000 * HOUR - (2 ** 31 - 1));
  });

  it("stops: the timer is cancelled and a run in progress finishes first", async () => {
    const { world, service } = harness({ cleanupOnStartup: false });
    await service.start();
    const manual = service.cleanup({ dryRun: false, actor: "anonymous" });
    await settle();
    let stopped = false;
    const stopping = service.stop().then(() => (stopped = true));
    await settle();
    expect(world.timer).to.equal(undefined);
    expect(stopped).to.equal(false);
    world.runs[0]!.finish();
    await Promise.all([manual, stopping]);
    expect(service.status().scheduler).to.include({ running: false, next_cleanup_time: null });
  });
});
