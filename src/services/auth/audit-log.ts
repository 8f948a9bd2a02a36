/**
 * What administrators did (keys created and revoked, bulk deletes, cleanups they asked for), kept in the
 * database; never edited, only appended. Refused requests (401, 403) are not admin actions: the usage rows
 * record them.
 */
import type { Db } from "../../storage/db/database.js";

export interface AuditEntry {
  at: string;
  /** The acting key's id, or `cli` for the keys command, or `anonymous` while API keys are off. */
  actor: string;
  /** `key.create`, `key.revoke`, `library.bulk_delete`, `maintenance.cleanup`. */
  action: string;
  target: string;
  detail: Record<string, unknown> | null;
}

interface AuditRow {
  at_ms: number;
  actor: string;
  action: string;
  target: string;
  detail: string | null;
}

/** What the services that act for administrators need of the log. */
export type AuditRecorder = Pick<AuditLog, "record">;

export class AuditLog {
  constructor(private readonly db: Db) {}

  record(entry: Omit<AuditEntry, "at">): void {
    this.db
      .prepare("INSERT INTO audit_log (at_ms, actor, action, target, detail) VALUES (?, ?, ?, ?, ?)")
      .run(Date.now(), entry.actor, entry.action, entry.target, entry.detail ? JSON.stringify(entry.detail) : null);
  }

  /** The newest `limit` entries, newest first. */
  recent(limit: number): AuditEntry[] {
    const rows = this.db.prepare("SELECT * FROM audit_log ORDER BY id DESC LIMIT ?").all(limit) as AuditRow[];
    return rows.map((row) => ({
      at: new Date(row.at_ms).toISOString(),
      actor: row.actor,
      action: row.action,
      target: row.target,
      detail: row.detail === null ? null : (JSON.parse(row.detail) as Record<string, unknown>),
    }));
  }
}
