/**
 * API keys in the database: created with a random secret that is shown once, kept only as its SHA-256 (a
 * 192-bit random secret needs no slow hash: there is nothing to guess), found by that hash on every request,
 * revoked by id or prefix with immediate effect. Every creation and revocation goes to the audit log.
 */
import { createHash, randomBytes, randomUUID } from "node:crypto";
import { NotFoundError } from "../../domain/errors.js";
import type { Db } from "../../storage/db/database.js";
import { AuditLog } from "./audit-log.js";
import type { Scope } from "./scopes.js";

/** Secrets start with this, so a leaked one is recognisable (e.g. by secret scanners). */
const SECRET_MARK = "cbx-";
/** How stale `last_used_at` may be. */
const LAST_USED_PRECISION_MS = 60_000;
/** Characters of the secret shown in lists: the mark plus eight of the random part. */
const PREFIX_LENGTH = SECRET_MARK.length + 8;

/** What one key may use; null = no limit of that kind. */
export interface KeyLimits {
  requestsPerMinute: number | null;
  maxConcurrent: number | null;
  /** TTS characters per UTC day. */
  dailyChars: number | null;
}

export const NO_LIMITS: KeyLimits = { requestsPerMinute: null, maxConcurrent: null, dailyChars: null };

export interface ApiKey {
  id: string;
  name: string;
  /** The secret's first characters, e.g. "cbx-3fK9aQ1z". */
  prefix: string;
  scopes: Scope[];
  limits: KeyLimits;
  createdAt: string;
  revokedAt: string | null;
  lastUsedAt: string | null;
}

interface KeyRow {
  id: string;
  name: string;
  prefix: string;
  scopes: string;
  created_ms: number;
  revoked_ms: number | null;
  last_used_ms: number | null;
  requests_per_minute: number | null;
  max_concurrent: number | null;
  daily_chars: number | null;
}

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

function toKey(row: KeyRow): ApiKey {
  return {
    id: row.id,
    name: row.name,
    prefix: row.prefix,
    scopes: JSON.parse(row.scopes) as Scope[],
    limits: {
      requestsPerMinute: row.requests_per_minute,
      maxConcurrent: row.max_concurrent,
      dailyChars: row.daily_chars,
    },
    createdAt: iso(row.created_ms)!,
    revokedAt: iso(row.revoked_ms),
    lastUsedAt: iso(row.last_used_ms),
  };
}

const sha256 = (secret: string) => createHash("sha256").update(secret, "utf8").digest("hex");

export class ApiKeyStore {
  private readonly auditLog: AuditLog;

  constructor(private readonly db: Db) {
    this.auditLog = new AuditLog(db);
  }

  /** A new key and its secret, which is never stored and cannot be shown again. */
  create(spec: { name: string; scopes: Scope[]; limits?: KeyLimits }, actor: string): { key: ApiKey; secret: string } {
    const limits = spec.limits ?? NO_LIMITS;
    const secret = SECRET_MARK + randomBytes(24).toString("base64url");
    const row: KeyRow = {
      id: randomUUID(),
      name: spec.name,
      prefix: secret.slice(0, PREFIX_LENGTH),
      scopes: JSON.stringify([...new Set(spec.scopes)]),
      created_ms: Date.now(),
      revoked_ms: null,
      last_used_ms: null,
      requests_per_minute: limits.requestsPerMinute,
      max_concurrent: limits.maxConcurrent,
      daily_chars: limits.dailyChars,
    };
    this.db.transaction(() => {
      this.db
        .prepare(
          `INSERT INTO api_keys (id, name, prefix, secret_sha256, scopes, created_ms, requests_per_minute,
             max_concurrent, daily_chars)
           VALUES (@id, @name, @prefix, @hash, @scopes, @created_ms, @requests_per_minute, @max_concurrent,
             @daily_chars)`,
        )
        .run({ ...row, hash: sha256(secret) });
      const detail = { name: row.name, scopes: JSON.parse(row.scopes) as unknown, limits };
      this.auditLog.record({ actor, action: "key.create", target: row.id, detail });
    })();
    return { key: toKey(row), secret };
  }

  /** Every key, revoked ones included, oldest first. */
  list(): ApiKey[] {
    return (this.db.prepare("SELECT * FROM api_keys ORDER BY created_ms, id").all() as KeyRow[]).map(toKey);
  }

  /** Whether any key that works exists. */
  hasActiveKeys(): boolean {
    return this.db.prepare("SELECT 1 FROM api_keys WHERE revoked_ms IS NULL LIMIT 1").get() !== undefined;
  }

  /**
   * Revokes the key with this id or prefix; it stops working at once. Revoking a revoked key changes nothing.
   * @throws NotFoundError when no key has that id or prefix
   */
  revoke(idOrPrefix: string, actor: string): ApiKey {
    const row = this.db.prepare("SELECT * FROM api_keys WHERE id = ? OR prefix = ?").get(idOrPrefix, idOrPrefix) as
      KeyRow | undefined;
    if (!row) throw new NotFoundError(`No API key has the id or prefix '${idOrPrefix}'`);
    if (row.revoked_ms !== null) return toKey(row);
    const revoked = { ...row, revoked_ms: Date.now() };
    this.db.transaction(() => {
      this.db.prepare("UPDATE api_keys SET revoked_ms = ? WHERE id = ?").run(revoked.revoked_ms, row.id);
      this.auditLog.record({ actor, action: "key.revoke", target: row.id, detail: { name: row.name } });
    })();
    return toKey(revoked);
  }

  /** The working key whose secret this is, marked as used (to the minute); undefined for unknown or revoked secrets. */
  authenticate(secret: string): ApiKey | undefined {
    const row = this.db
      .prepare("SELECT * FROM api_keys WHERE secret_sha256 = ? AND revoked_ms IS NULL")
      .get(sha256(secret)) as KeyRow | undefined;
    if (!row) return undefined;
    const now = Date.now();
    // Every request asks: a write per request would only move a time that lists show to the minute anyway.
    if (row.last_used_ms !== null && now - row.last_used_ms < LAST_USED_PRECISION_MS) return toKey(row);
    this.db.prepare("UPDATE api_keys SET last_used_ms = ? WHERE id = ?").run(now, row.id);
    return toKey({ ...row, last_used_ms: now });
  }
}
