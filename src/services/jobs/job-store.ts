/**
 * Jobs, their segments and their events in the one database. Every change that must stay consistent (a
 * segment finished and the job's counters; a plan and its segments) is one transaction, so a crash leaves
 * either the old state or the new one, and a resumed job starts from the first unfinished segment.
 */
import type { Db } from "../../storage/db/database.js";
import type {
  BookFormat,
  JobError,
  JobEvent,
  JobRecord,
  JobResultVersion,
  JobState,
  JobType,
  SegmentRecord,
} from "./job-types.js";

/** What submission decides; the rest of a JobRecord starts empty. */
export type NewJob = Pick<
  JobRecord,
  | "id"
  | "type"
  | "request"
  | "project"
  | "keyId"
  | "seed"
  | "chapters"
  | "splitChapters"
  | "webhookUrl"
  | "webhookSecret"
  | "warnings"
>;

export interface JobFilter {
  state?: JobState | undefined;
  project?: string | undefined;
  keyId?: string | undefined;
  limit: number;
  offset: number;
}

/** A planned segment before any audio. */
export type PlannedSegment = Pick<SegmentRecord, "text" | "displayText" | "chapter" | "seed">;

/** A finished segment, with what its rendering cost. */
export interface FinishedSegment {
  index: number;
  durationSeconds: number;
  outcome: SegmentRecord["outcome"];
}

type Row = Record<string, unknown>;

export class JobStore {
  constructor(private readonly db: Db) {}

  insert(job: NewJob, now = Date.now()): JobRecord {
    this.db
      .prepare(
        `INSERT INTO jobs (id, type, state, request, project, key_id, seed, chapters, split_chapters, webhook_url,
           webhook_secret, warnings, created_ms, updated_ms)
         VALUES (@id, @type, 'queued', @request, @project, @keyId, @seed, @chapters, @split, @webhookUrl,
           @webhookSecret, @warnings, @now, @now)`,
      )
      .run({
        ...job,
        request: JSON.stringify(job.request),
        split: job.splitChapters ? 1 : 0,
        warnings: JSON.stringify(job.warnings),
        now,
      });
    return this.get(job.id)!;
  }

  get(id: string): JobRecord | undefined {
    const row = this.db.prepare("SELECT * FROM jobs WHERE id = ?").get(id) as Row | undefined;
    return row && toJob(row);
  }

  /** Newest first. */
  list(filter: JobFilter): { jobs: JobRecord[]; total: number } {
    const conditions = {
      "state = @state": filter.state,
      "project = @project": filter.project,
      "key_id = @keyId": filter.keyId,
    };
    const where = Object.entries(conditions)
      .filter(([, value]) => value !== undefined)
      .map(([condition]) => condition);
    const params = { ...filter };
    const clause = where.length > 0 ? `WHERE ${where.join(" AND ")}` : "";
    const rows = this.db
      .prepare(`SELECT * FROM jobs ${clause} ORDER BY created_ms DESC, id LIMIT @limit OFFSET @offset`)
      .all(params) as Row[];
    const { total } = this.db.prepare(`SELECT COUNT(*) AS total FROM jobs ${clause}`).get(params) as { total: number };
    return { jobs: rows.map(toJob), total };
  }

  /** The oldest queued job, the next to run. */
  nextQueued(): JobRecord | undefined {
    const row = this.db.prepare("SELECT * FROM jobs WHERE state = 'queued' ORDER BY created_ms, id LIMIT 1").get() as
      Row | undefined;
    return row && toJob(row);
  }

  /** Jobs left running by a server that stopped: queued again, to resume where they stopped. */
  requeueInterrupted(): string[] {
    const rows = this.db.prepare("UPDATE jobs SET state = 'queued' WHERE state = 'running' RETURNING id").all() as {
      id: string;
    }[];
    return rows.map((row) => row.id);
  }

  /** Queued, running and paused jobs of one key (null: those submitted without a key). */
  unfinishedCount(keyId: string | null): number {
    const row = this.db
      .prepare(`SELECT COUNT(*) AS n FROM jobs WHERE key_id IS ? AND state IN ('queued', 'running', 'paused')`)
      .get(keyId) as { n: number };
    return row.n;
  }

  /** Finished jobs whose segment audio is still kept though they ended before `beforeMs`. */
  keptSegmentsFinishedBefore(beforeMs: number): string[] {
    const rows = this.db
      .prepare(
        `SELECT id FROM jobs WHERE state IN ('succeeded', 'failed', 'cancelled') AND finished_ms < ?
           AND segments_removed_ms IS NULL`,
      )
      .all(beforeMs) as { id: string }[];
    return rows.map((row) => row.id);
  }

  /** Records that a job's segment audio was removed (a re-render speaks it again). */
  markSegmentsRemoved(id: string, now = Date.now()): void {
    this.db.prepare("UPDATE jobs SET segments_removed_ms = ? WHERE id = ?").run(now, id);
  }

  setState(id: string, state: JobState, error: JobError | null = null, now = Date.now()): void {
    const finished = state === "succeeded" || state === "failed" || state === "cancelled" ? now : null;
    this.db
      .prepare(
        `UPDATE jobs SET state = @state, error = @error, updated_ms = @now, finished_ms = @finished,
           -- A job that runs (again) writes its segment audio again, so retention applies to it afresh.
           segments_removed_ms = CASE WHEN @state = 'running' THEN NULL ELSE segments_removed_ms END
         WHERE id = @id`,
      )
      .run({ state, error: error && JSON.stringify(error), now, finished, id });
  }

  /** Stores what planning found and the segments to render, once. */
  savePlan(id: string, plan: unknown, segments: readonly PlannedSegment[]): void {
    const insert = this.db.prepare(
      `INSERT INTO job_segments (job_id, idx, text, display_text, chapter, seed, state)
       VALUES (?, ?, ?, ?, ?, ?, 'pending')`,
    );
    this.db.transaction(() => {
      segments.forEach((s, index) => insert.run(id, index, s.text, s.displayText, s.chapter, s.seed));
      this.db
        .prepare("UPDATE jobs SET plan = ?, segments_total = ?, updated_ms = ? WHERE id = ?")
        .run(JSON.stringify(plan), segments.length, Date.now(), id);
    })();
  }

  segments(id: string): SegmentRecord[] {
    const rows = this.db.prepare("SELECT * FROM job_segments WHERE job_id = ? ORDER BY idx").all(id) as Row[];
    return rows.map(toSegment);
  }

  /** Records finished segments and the job's totals in one transaction. */
  finishSegments(id: string, finished: readonly FinishedSegment[], renderMs: number): void {
    const update = this.db.prepare(
      `UPDATE job_segments SET state = 'done', duration_seconds = ?, outcome = ?, renders = renders + 1
       WHERE job_id = ? AND idx = ?`,
    );
    this.db.transaction(() => {
      for (const segment of finished) {
        update.run(segment.durationSeconds, JSON.stringify(segment.outcome), id, segment.index);
      }
      this.refreshTotals(id, renderMs);
    })();
  }

  /** What the engine reported over the job's calls so far (merged by the caller). */
  setSynthesis(id: string, synthesis: unknown): void {
    this.db.prepare("UPDATE jobs SET synthesis = ? WHERE id = ?").run(JSON.stringify(synthesis), id);
  }

  /**
   * Puts a finished segment back to pending, with new text, seed or parameters when `change` says so (a
   * re-render), and recounts the job's totals.
   */
  resetSegment(
    id: string,
    index: number,
    change?: Pick<SegmentRecord, "text" | "displayText" | "seed" | "overrides">,
  ): void {
    this.db.transaction(() => {
      this.db
        .prepare(
          `UPDATE job_segments SET state = 'pending', duration_seconds = NULL, outcome = NULL,
             text = COALESCE(@text, text), display_text = COALESCE(@displayText, display_text),
             seed = COALESCE(@seed, seed), overrides = COALESCE(@overrides, overrides)
           WHERE job_id = @id AND idx = @index`,
        )
        .run({
          id,
          index,
          text: change?.text ?? null,
          displayText: change?.displayText ?? null,
          seed: change?.seed ?? null,
          overrides: change ? JSON.stringify(change.overrides) : null,
        });
      this.refreshTotals(id, 0);
    })();
  }

  addWarnings(id: string, warnings: readonly string[]): string[] {
    const job = this.get(id);
    if (!job) return [];
    const fresh = warnings.filter((warning) => !job.warnings.includes(warning));
    if (fresh.length > 0) {
      this.db.prepare("UPDATE jobs SET warnings = ? WHERE id = ?").run(JSON.stringify([...job.warnings, ...fresh]), id);
    }
    return fresh;
  }

  addVersion(id: string, version: JobResultVersion): void {
    const job = this.get(id)!;
    this.db.prepare("UPDATE jobs SET result = ? WHERE id = ?").run(JSON.stringify([...job.versions, version]), id);
  }

  delete(id: string): void {
    this.db.prepare("DELETE FROM jobs WHERE id = ?").run(id);
  }

  appendEvent(id: string, type: JobEvent["type"], data: Record<string, unknown>): JobEvent {
    const { lastInsertRowid } = this.db
      .prepare("INSERT INTO job_events (job_id, type, data, at_ms) VALUES (?, ?, ?, ?)")
      .run(id, type, JSON.stringify(data), Date.now());
    return { id: Number(lastInsertRowid), type, data };
  }

  eventsAfter(id: string, lastEventId: number): JobEvent[] {
    const rows = this.db
      .prepare("SELECT id, type, data FROM job_events WHERE job_id = ? AND id > ? ORDER BY id")
      .all(id, lastEventId) as { id: number; type: JobEvent["type"]; data: string }[];
    return rows.map((row) => ({ id: row.id, type: row.type, data: JSON.parse(row.data) as Record<string, unknown> }));
  }

  /** Recounts the finished segments and their audio, and adds `renderMs`. */
  private refreshTotals(id: string, renderMs: number): void {
    this.db
      .prepare(
        `UPDATE jobs SET
           segments_done = (SELECT COUNT(*) FROM job_segments WHERE job_id = @id AND state = 'done'),
           audio_seconds = (SELECT COALESCE(SUM(duration_seconds), 0) FROM job_segments
                            WHERE job_id = @id AND state = 'done'),
           render_ms = render_ms + @renderMs,
           updated_ms = @now
         WHERE id = @id`,
      )
      .run({ id, renderMs, now: Date.now() });
  }
}

function parsed<T>(text: unknown, fallback: T): T {
  return typeof text === "string" ? (JSON.parse(text) as T) : fallback;
}

function toJob(row: Row): JobRecord {
  return {
    id: row.id as string,
    type: row.type as JobType,
    state: row.state as JobState,
    request: parsed(row.request, {}),
    project: row.project as string | null,
    keyId: row.key_id as string | null,
    seed: row.seed as number | null,
    chapters: row.chapters as BookFormat | null,
    splitChapters: row.split_chapters === 1,
    webhookUrl: row.webhook_url as string | null,
    webhookSecret: row.webhook_secret as string | null,
    plan: parsed(row.plan, null),
    segmentsTotal: row.segments_total as number,
    segmentsDone: row.segments_done as number,
    audioSeconds: row.audio_seconds as number,
    renderMs: row.render_ms as number,
    synthesis: parsed(row.synthesis, null),
    warnings: parsed(row.warnings, []),
    versions: parsed(row.result, []),
    error: parsed(row.error, null),
    createdMs: row.created_ms as number,
    updatedMs: row.updated_ms as number,
    finishedMs: row.finished_ms as number | null,
  };
}

function toSegment(row: Row): SegmentRecord {
  return {
    index: row.idx as number,
    text: row.text as string,
    displayText: row.display_text as string,
    chapter: row.chapter as number | null,
    seed: row.seed as number,
    overrides: parsed(row.overrides, {}),
    state: row.state as SegmentRecord["state"],
    durationSeconds: row.duration_seconds as number | null,
    outcome: parsed(row.outcome, null),
    renders: row.renders as number,
  };
}
