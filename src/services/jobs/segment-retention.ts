/**
 * How long a finished job keeps its segment audio (config jobs.keep_segments_hours). A long book's segments
 * take gigabytes as float samples, and they are only needed to re-render one segment cheaply; once removed,
 * a re-render speaks every segment again, to the same audio. Checked when a job ends and every hour.
 */
import type { Logger } from "../../logging.js";
import type { JobStore } from "./job-store.js";
import type { JobWorkspace } from "./job-workspace.js";

const CHECK_EVERY_MS = 3_600_000;

export interface SegmentRetentionOptions {
  store: JobStore;
  workspace: JobWorkspace;
  keepMs: number;
  log: Logger;
  now?: () => number;
}

export class SegmentRetention {
  private timer: NodeJS.Timeout | undefined;
  private firstCheck: Promise<void> = Promise.resolve();
  private stopped = false;

  constructor(private readonly options: SegmentRetentionOptions) {}

  start(): void {
    this.stopped = false;
    // The first check follows the removal of folders deleted before the start; a stop meanwhile skips it, since
    // the database may be closed by then.
    this.firstCheck = this.options.workspace
      .removeDiscarded()
      .then(() => (this.stopped ? undefined : this.prune()))
      .catch((error: unknown) => this.options.log.warn({ err: error }, "jobs: segment audio retention"));
    this.timer = setInterval(() => void this.prune(), CHECK_EVERY_MS).unref();
  }

  /** Resolves when no check will read the store any more (each reads it before its first await). */
  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    await this.firstCheck;
  }

  /** Removes the segment audio of every job that ended longer ago than the retention. */
  async prune(): Promise<void> {
    const { store, workspace, keepMs, log, now = Date.now } = this.options;
    const expired = store.keptSegmentsFinishedBefore(now() - keepMs + 1);
    // Marked and taken away in the same turn as the check, so a re-render starting meanwhile sees it gone.
    const deletions = expired.map((id) => {
      store.markSegmentsRemoved(id);
      return workspace.remove(id);
    });
    await Promise.all(deletions).catch((error: unknown) => log.warn({ err: error }, "jobs: segment audio removal"));
    if (expired.length > 0) log.info({ jobs: expired.length }, "jobs: removed the segment audio of finished jobs");
  }
}
