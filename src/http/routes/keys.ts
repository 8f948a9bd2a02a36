/**
 * Key management for administrators (docs/api/keys.md): GET/POST /api/v1/keys, DELETE /api/v1/keys/{id}
 * (id or prefix) and GET /api/v1/audit. The secret of a new key is in the creation answer only.
 */
import Router from "@koa/router";
import { z } from "zod";
import type { ApiKey, ApiKeyStore } from "../../services/auth/api-key-store.js";
import type { AuditLog } from "../../services/auth/audit-log.js";
import { SCOPES } from "../../services/auth/scopes.js";
import { auditActor } from "../auth/audit-actor.js";
import { jsonBodyRequired } from "../middleware/json-body.js";
import { toFieldIssues, validationFailed } from "../schemas/field-issues.js";

export const createBody = z.strictObject({
  name: z.string({ error: "is required and must be a string" }).trim().min(1).max(100),
  scopes: z
    .array(z.enum(SCOPES, { error: `must be one of ${SCOPES.join(", ")}` }), { error: "must be a list of scopes" })
    .min(1, { error: "must name at least one scope" }),
  // Each absent or null = no limit of that kind.
  limits: z
    .strictObject({
      requests_per_minute: limit(),
      max_concurrent: limit(),
      daily_chars: limit(),
    })
    .optional(),
});

function limit() {
  return z.number({ error: "must be a positive whole number or null" }).int().positive().nullish();
}

export const auditQuery = z.strictObject({
  limit: z.coerce.number({ error: "must be a number" }).int().min(1).max(1000).default(100),
});

function keyView(key: ApiKey) {
  return {
    id: key.id,
    name: key.name,
    prefix: key.prefix,
    scopes: key.scopes,
    limits: {
      requests_per_minute: key.limits.requestsPerMinute,
      max_concurrent: key.limits.maxConcurrent,
      daily_chars: key.limits.dailyChars,
    },
    created_at: key.createdAt,
    revoked_at: key.revokedAt,
    last_used_at: key.lastUsedAt,
  };
}

export function keyRoutes(keys: ApiKeyStore, audit: AuditLog): Router {
  const router = new Router();
  router.get("/api/v1/keys", (ctx) => {
    ctx.body = { keys: keys.list().map(keyView) };
  });
  router.post("/api/v1/keys", jsonBodyRequired, (ctx) => {
    const parsed = createBody.safeParse(ctx.request.body);
    if (!parsed.success) throw validationFailed(toFieldIssues(parsed.error.issues, "body"));
    const { name, scopes, limits = {} } = parsed.data;
    const keyLimits = {
      requestsPerMinute: limits.requests_per_minute ?? null,
      maxConcurrent: limits.max_concurrent ?? null,
      dailyChars: limits.daily_chars ?? null,
    };
    const { key, secret } = keys.create({ name, scopes, limits: keyLimits }, auditActor(ctx));
    ctx.status = 201;
    ctx.body = { key: keyView(key), secret, message: "Store the secret now: it is not shown again" };
  });
  router.delete("/api/v1/keys/:id", (ctx) => {
    ctx.body = { key: keyView(keys.revoke(ctx.params.id!, auditActor(ctx))) };
  });
  router.get("/api/v1/audit", (ctx) => {
    const parsed = auditQuery.safeParse(ctx.query);
    if (!parsed.success) throw validationFailed(toFieldIssues(parsed.error.issues, "query"));
    ctx.body = { entries: audit.recent(parsed.data.limit) };
  });
  return router;
}
