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

  constructor(private readonly options: SegmentRetentionOptions) {}

  start(): void {
    void this.options.workspace.removeDiscarded().then(() => this.prune());
    this.timer = setInterval(() => void this.prune(), CHECK_EVERY_MS).unref();
  }

  stop(): void {
    clearInterval(this.timer);
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
