/**
 * Administrative endpoints (spec §3.19): GET /api/v1/resources, POST /api/v1/cleanup (optional JSON body
 * `{"dry_run": true}`) and GET /api/v1/cleanup/status. A cleanup deletes files, so a dry run asked for in a
 * way the server would not read (a form body, `?dry_run=true`, a misspelt field) is refused, never turned
 * into a real run.
 */
import Router from "@koa/router";
import type { Context } from "koa";
import { z } from "zod";
import { UnsupportedMediaTypeError, type FieldIssue } from "../../domain/errors.js";
import type { MaintenanceService } from "../../services/maintenance/maintenance-service.js";
import { auditActor } from "../auth/audit-actor.js";
import { toFieldIssues, validationFailed } from "../schemas/field-issues.js";

export const cleanupBody = z.strictObject({
  dry_run: z.boolean({ error: "must be true or false" }).optional(),
});

export function maintenanceRoutes(maintenance: MaintenanceService): Router {
  const router = new Router();
  router.get("/api/v1/resources", async (ctx) => {
    ctx.body = await maintenance.resources();
  });
  router.post("/api/v1/cleanup", async (ctx) => {
    ctx.body = await maintenance.cleanup({ dryRun: parseCleanupRequest(ctx), actor: auditActor(ctx) });
  });
  router.get("/api/v1/cleanup/status", (ctx) => {
    ctx.body = maintenance.status();
  });
  return router;
}

/** Whether the client asked for a dry run; no body (or an empty one) means a real run. */
function parseCleanupRequest(ctx: Context): boolean {
  const hasBody = (ctx.request.length ?? 0) > 0 || ctx.get("Transfer-Encoding") !== "";
  if (hasBody && !ctx.request.is("application/json")) {
    throw new UnsupportedMediaTypeError(`POST ${ctx.path} takes no body or a JSON body such as {"dry_run": true}`);
  }
  const queryIssues: FieldIssue[] = Object.keys(ctx.query).map((name) => ({
    loc: ["query", name],
    msg: 'unknown query parameter; send {"dry_run": true} as a JSON body',
    type: "unrecognized_keys",
  }));
  if (queryIssues.length > 0) throw validationFailed(queryIssues);
  const parsed = cleanupBody.safeParse(ctx.request.body ?? {});
  if (!parsed.success) throw validationFailed(toFieldIssues(parsed.error.issues, "body"));
  return parsed.data.dry_run ?? false;
}
