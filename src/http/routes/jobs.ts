/**
 * The jobs API (docs/api/jobs.md): submit, list, look at, control and delete jobs, follow one as Server-Sent
 * Events, and re-render one segment of a TTS job. With API keys on, submitting needs the scope of the job's
 * type, and a key without `admin` sees and controls only its own jobs.
 */
import { PassThrough } from "node:stream";
import Router from "@koa/router";
import type { Context } from "koa";
import { PermissionDeniedError } from "../../domain/errors.js";
import type { ApiKey } from "../../services/auth/api-key-store.js";
import { allows, type Scope } from "../../services/auth/scopes.js";
import type { JobService } from "../../services/jobs/job-service.js";
import { FINISHED_STATES, type JobEvent, type JobType } from "../../services/jobs/job-types.js";
import { jobView, segmentView } from "../../services/jobs/job-view.js";
import { jsonBodyRequired } from "../middleware/json-body.js";
import { onResponseClosed } from "../middleware/request-context.js";
import { noteUsage } from "../usage/usage-facts.js";
import { parseJobListQuery, parseJobSubmission, parseSegmentRender } from "../schemas/job-request.js";

/** The scope each job type needs: the synchronous endpoint's. */
const SUBMIT_SCOPE: Readonly<Record<JobType, Scope>> = { tts: "tts", vc: "vc", concat: "tts" };

/** A comment line this often keeps proxies from closing a quiet event stream. */
const KEEPALIVE_MS = 15_000;

export function jobRoutes(jobs: JobService): Router {
  const router = new Router();

  router.post("/api/v1/jobs", jsonBodyRequired, async (ctx) => {
    const submission = parseJobSubmission(ctx.request.body);
    const key = callerKey(ctx);
    if (key && !allows(key.scopes, SUBMIT_SCOPE[submission.type])) {
      throw new PermissionDeniedError(`A ${submission.type} job needs the '${SUBMIT_SCOPE[submission.type]}' scope`);
    }
    const text = submission.request.text;
    noteUsage(ctx, { inputChars: typeof text === "string" ? text.length : 0, streamMode: "job" });
    const { job, webhookSecret } = await jobs.submit({
      type: submission.type,
      request: submission.request,
      webhookUrl: submission.webhook_url,
      chapters: submission.chapters,
      splitChapters: submission.split_chapters,
      keyId: key?.id ?? null,
    });
    ctx.status = 202;
    ctx.set("Location", `/api/v1/jobs/${job.id}`);
    ctx.body = { ...jobView(job), ...(webhookSecret ? { webhook_secret: webhookSecret } : {}) };
  });

  router.get("/api/v1/jobs", (ctx) => {
    const query = parseJobListQuery(ctx.query);
    const own = ownKeyId(ctx);
    if (own !== undefined && query.key_id !== undefined && query.key_id !== own) {
      throw new PermissionDeniedError("Only an admin key may list the jobs of other keys");
    }
    const { jobs: found, total } = jobs.list({
      state: query.state,
      project: query.project,
      keyId: own ?? query.key_id,
      limit: query.limit,
      offset: query.offset,
    });
    ctx.body = { object: "list", data: found.map(jobView), total, limit: query.limit, offset: query.offset };
  });

  router.get("/api/v1/jobs/:id", (ctx) => {
    ctx.body = jobView(jobs.get(ctx.params.id!, ownKeyId(ctx)));
  });

  router.get("/api/v1/jobs/:id/segments", (ctx) => {
    const segments = jobs.segments(ctx.params.id!, ownKeyId(ctx));
    ctx.body = { object: "list", data: segments.map(segmentView), total: segments.length };
  });

  /** The id of the job the route names, once the caller may act on it (else 404). */
  const ownedJob = (ctx: Context) => jobs.get(ctx.params.id!, ownKeyId(ctx)).id;

  router.post("/api/v1/jobs/:id/segments/:n/render", async (ctx) => {
    const id = ownedJob(ctx);
    const change = parseSegmentRender(ctx.request.body);
    ctx.status = 202;
    ctx.body = jobView(await jobs.rerender(id, segmentIndex(ctx.params.n!), change));
  });

  router.post("/api/v1/jobs/:id/pause", async (ctx) => {
    ctx.body = jobView(await jobs.pause(ownedJob(ctx)));
  });
  router.post("/api/v1/jobs/:id/resume", (ctx) => {
    ctx.body = jobView(jobs.resume(ownedJob(ctx)));
  });
  router.post("/api/v1/jobs/:id/cancel", async (ctx) => {
    ctx.body = jobView(await jobs.cancel(ownedJob(ctx)));
  });
  router.delete("/api/v1/jobs/:id", async (ctx) => {
    await jobs.remove(ownedJob(ctx));
    ctx.status = 204;
  });

  router.get("/api/v1/jobs/:id/events", (ctx) => {
    const job = jobs.get(ctx.params.id!, ownKeyId(ctx));
    streamEvents(ctx, jobs, { id: job.id, after: lastEventId(ctx), finished: FINISHED_STATES.has(job.state) });
  });
  return router;
}

/**
 * Sends the stored events after `after`, then live ones until the job ends. Listening starts before the
 * stored events are read, so none falls between the two; ids already sent are skipped.
 */
function streamEvents(ctx: Context, jobs: JobService, stream: { id: string; after: number; finished: boolean }): void {
  ctx.type = "text/event-stream";
  ctx.set("Cache-Control", "no-cache");
  ctx.set("X-Accel-Buffering", "no");
  const out = new PassThrough();
  ctx.body = out;
  let lastSent = stream.after;
  const send = (event: JobEvent, live: boolean) => {
    if (event.id <= lastSent || out.writableEnded) return;
    lastSent = event.id;
    out.write(`id: ${event.id}\nevent: ${event.type}\ndata: ${JSON.stringify(event.data)}\n\n`);
    // A stored end may have been followed by a re-render: only a live one, or the state now, ends the stream.
    if (live && ends(event)) out.end();
  };
  const unsubscribe = jobs.subscribe(stream.id, (event) => send(event, true));
  const keepalive = setInterval(() => out.write(": keep-alive\n\n"), KEEPALIVE_MS);
  onResponseClosed(ctx, () => {
    unsubscribe();
    clearInterval(keepalive);
  });
  out.on("finish", () => clearInterval(keepalive));
  for (const event of jobs.events(stream.id, stream.after)) send(event, false);
  // A job that had already ended when the client connected has nothing more to say.
  if (stream.finished) out.end();
}

/** The job reached an end state (a re-render may later reopen a succeeded one; a new stream follows that). */
function ends(event: JobEvent): boolean {
  return (
    event.type === "done" || event.type === "failed" || (event.type === "state" && event.data.state === "cancelled")
  );
}

function lastEventId(ctx: Context): number {
  const raw = ctx.get("Last-Event-ID") || (typeof ctx.query.last_event_id === "string" ? ctx.query.last_event_id : "");
  const id = Number(raw);
  return raw !== "" && Number.isSafeInteger(id) && id >= 0 ? id : 0;
}

function segmentIndex(text: string): number {
  const index = Number(text);
  // Not an index at all: the same 404 as an index past the end.
  return Number.isSafeInteger(index) && index >= 0 ? index : -1;
}

function callerKey(ctx: Context): ApiKey | undefined {
  return ctx.state.apiKey as ApiKey | undefined;
}

/** The caller's key id when it may only see its own jobs; undefined for admin keys and with keys off. */
function ownKeyId(ctx: Context): string | undefined {
  const key = callerKey(ctx);
  return key && !allows(key.scopes, "admin") ? key.id : undefined;
}
