/**
 * Runs cleanups: once at start (when `cleanup_on_startup`, after the library index is ready), every
 * `cleanup_interval_hours`, and on request. Runs never overlap: they queue on one lock, so a request that
 * arrives during a scheduled run waits for it and then runs itself (each report then describes a run of
 * its own). The last 10 runs are remembered for GET /api/v1/cleanup/status. A real run a client asked for goes
 * to the audit log; the server's own runs are in its log.
 */
import type { AppConfig } from "../../config/app-config.js";
import type { Logger } from "../../logging.js";
import type { LibraryKind } from "../../storage/library/library-entry.js";
import type { LibraryStore } from "../../storage/library/library-store.js";
import { Mutex } from "../../storage/mutex.js";
import type { AuditRecorder } from "../auth/audit-log.js";
import { runCleanup, type CleanupContext, type MaintenanceSettings } from "./cleanup.js";
import { summarize, type CleanupReport, type CleanupSummary, type CleanupTrigger } from "./cleanup-report.js";
import { measureResources, type ResourcesReport } from "./resources.js";

/** Calls `run` after `delayMs`; returns what cancels it. */
export type ScheduleTimer = (run: () => void, delayMs: number) => () => void;

export interface MaintenanceOptions {
  settings: MaintenanceSettings;
  tempRoot: string;
  libraries: Record<LibraryKind, LibraryStore>;
  log: Logger;
  /** Where the runs clients ask for are recorded. */
  audit: AuditRecorder;
  now?: () => number;
  timer?: ScheduleTimer;
  /** Carries out one run; runCleanup unless a test replaces it. */
  runner?: typeof runCleanup;
}

export interface CleanupStatus {
  scheduler: {
    /** Started, not stopped, and with a schedule (`cleanup_interval_hours` > 0). */
    running: boolean;
    cleanup_on_startup: boolean;
    cleanup_interval_hours: number;
    /** When the last real (not dry) run ended. */
    last_cleanup_time: string | null;
    /** Real runs since the server started. */
    cleanup_count: number;
    next_cleanup_time: string | null;
    cleanup_in_progress: boolean;
  };
  /** The last runs (dry ones too), oldest first. */
  history: CleanupSummary[];
}

/** Where a run may delete: the audit entry's target. */
const CLEANED = "outputs, reference_audio, vc_inputs, temp";
const HISTORY_KEPT = 10;
const HISTORY_SHOWN = 5;
const HOUR_MS = 3_600_000;
/** setTimeout's longest delay (about 24.8 days); longer waits are armed in steps. */
const MAX_TIMER_DELAY_MS = 2 ** 31 - 1;

const unrefTimer: ScheduleTimer = (run, delayMs) => {
  const handle = setTimeout(run, delayMs);
  // A pending cleanup never keeps the process alive.
  handle.unref();
  return () => clearTimeout(handle);
};

export class MaintenanceService {
  private readonly context: CleanupContext;
  private readonly log: Logger;
  private readonly audit: AuditRecorder;
  private readonly timer: ScheduleTimer;
  private readonly runner: typeof runCleanup;
  private readonly lock = new Mutex();
  private readonly history: CleanupSummary[] = [];
  private cancelTimer: (() => void) | undefined;
  private nextDueMs: number | undefined;
  private state: "idle" | "started" | "stopped" = "idle";
  private inProgress = false;
  private realRuns = 0;
  private lastRealRunAt: string | null = null;

  constructor(options: MaintenanceOptions) {
    const { settings, tempRoot, libraries } = options;
    this.context = { settings, tempRoot, libraries, now: options.now ?? Date.now };
    this.log = options.log;
    this.audit = options.audit;
    this.timer = options.timer ?? unrefTimer;
    this.runner = options.runner ?? runCleanup;
  }

  private get settings(): MaintenanceSettings {
    return this.context.settings;
  }

  /** Runs the startup cleanup when configured, then arms the schedule. Call once the library index is ready. */
  async start(): Promise<void> {
    if (this.state !== "idle") return;
    this.state = "started";
    if (this.settings.cleanupOnStartup) await this.runInBackground("startup");
    this.armNext();
  }

  /** Stops the schedule; resolves when a run in progress (or queued) has finished. */
  async stop(): Promise<void> {
    this.state = "stopped";
    this.cancelTimer?.();
    this.nextDueMs = undefined;
    await this.lock.run(async () => undefined);
  }

  /** A run a client (`actor`: a key id, or `anonymous`) asked for: it waits for a run in progress, then runs. */
  async cleanup({ dryRun, actor }: { dryRun: boolean; actor: string }): Promise<CleanupReport> {
    const report = await this.run("manual", dryRun);
    // A dry run changes nothing: there is no action to audit.
    if (!dryRun) {
      this.audit.record({ actor, action: "maintenance.cleanup", target: CLEANED, detail: auditDetail(report) });
    }
    return report;
  }

  resources(): Promise<ResourcesReport> {
    return measureResources(this.context);
  }

  status(): CleanupStatus {
    const { settings } = this;
    return {
      scheduler: {
        running: this.state === "started" && settings.cleanupIntervalMs > 0,
        cleanup_on_startup: settings.cleanupOnStartup,
        cleanup_interval_hours: settings.cleanupIntervalMs / HOUR_MS,
        last_cleanup_time: this.lastRealRunAt,
        cleanup_count: this.realRuns,
        next_cleanup_time: this.nextDueMs === undefined ? null : new Date(this.nextDueMs).toISOString(),
        cleanup_in_progress: this.inProgress,
      },
      history: this.history.slice(-HISTORY_SHOWN),
    };
  }

  private run(trigger: CleanupTrigger, dryRun: boolean): Promise<CleanupReport> {
    return this.lock.run(async () => {
      this.inProgress = true;
      try {
        const report = await this.runner(this.context, { dryRun, trigger });
        this.remember(report);
        return report;
      } finally {
        this.inProgress = false;
      }
    });
  }

  private remember(report: CleanupReport): void {
    this.history.push(summarize(report));
    this.history.splice(0, Math.max(0, this.history.length - HISTORY_KEPT));
    if (report.dry_run) return;
    this.realRuns += 1;
    this.lastRealRunAt = report.end_time;
  }

  /** Startup and scheduled runs: nobody awaits their report, so the log says what they did. */
  private async runInBackground(trigger: CleanupTrigger): Promise<void> {
    try {
      const report = await this.run(trigger, false);
      const { total_files_removed: files, total_bytes_freed: bytes, warnings } = report;
      this.log.info({ trigger, files, bytes, errors: summarize(report).errors }, "cleanup finished");
      for (const warning of warnings) this.log.warn({ trigger }, warning);
    } catch (error) {
      this.log.error({ err: error, trigger }, "cleanup failed");
    }
  }

  private armNext(): void {
    if (this.state !== "started" || this.settings.cleanupIntervalMs <= 0) return;
    this.nextDueMs = this.context.now() + this.settings.cleanupIntervalMs;
    this.armTimer();
  }

  private armTimer(): void {
    const due = this.nextDueMs ?? 0;
    const wait = Math.min(Math.max(0, due - this.context.now()), MAX_TIMER_DELAY_MS);
    this.cancelTimer = this.timer(() => void this.onTimer(), wait);
  }

  private async onTimer(): Promise<void> {
    if (this.state !== "started" || this.nextDueMs === undefined) return;
    if (this.context.now() < this.nextDueMs) return this.armTimer();
    this.nextDueMs = undefined;
    await this.runInBackground("scheduled");
    this.armNext();
  }
}

/** What a run removed, in all and per action; `errors` counts the files that could not be deleted. */
function auditDetail(report: CleanupReport): Record<string, unknown> {
  const removedBy = Object.fromEntries(
    Object.entries(report.actions).map(([action, { files_removed }]) => [action, files_removed]),
  );
  return {
    files_removed: report.total_files_removed,
    bytes_freed: report.total_bytes_freed,
    files_removed_by_action: removedBy,
    errors: summarize(report).errors,
  };
}

/** The service as the server runs it: the configured limits over the three libraries and `paths.temp`. */
export function createMaintenanceService(
  config: AppConfig,
  libraries: Record<LibraryKind, LibraryStore>,
  options: { log: Logger; audit: AuditRecorder },
): MaintenanceService {
  return new MaintenanceService({
    settings: config.maintenance,
    tempRoot: config.paths.temp,
    libraries,
    log: options.log.child({ component: "maintenance" }),
    audit: options.audit,
  });
}
