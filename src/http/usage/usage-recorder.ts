/**
 * Writes exactly one usage row per HTTP request when its response closes, however it ends: answered, refused,
 * failed, or abandoned by the client (status 499). It sits outside the error handler, so it sees the status
 * and error code the client got. A failure to write the row is logged, never turned into a client error.
 */
import type { Middleware } from "koa";
import type Router from "@koa/router";
import type { Logger } from "../../logging.js";
import type { ApiKey } from "../../services/auth/api-key-store.js";
import type { UsageLog } from "../../services/usage/usage-log.js";
import type { UsageRecord } from "../../services/usage/usage-record.js";
import { closedStatus, lateFailure, onResponseClosed, requestStarted } from "../middleware/request-context.js";
import { routeMatcher } from "../route-pattern.js";
import { responseMeter } from "./response-meter.js";
import { notedUsage } from "./usage-facts.js";

export interface UsageRecorderOptions {
  usage: Pick<UsageLog, "record">;
  /** Every router of the app, in mount order: the row names the route, not the URL. */
  routers: readonly Router[];
  log: Logger;
}

/**
 * The studio's and the API reference's files: a page load fetches several, none of them is use of the API,
 * and they would bury the calls the page then makes in the usage log and on its dashboard.
 */
const PAGE_FILES = /^GET \/(ui|docs)(\/|$)/;

export function usageRecorder({ usage, routers, log }: UsageRecorderOptions): Middleware {
  const endpointOf = routeMatcher(routers);
  return async (ctx, next) => {
    if (ctx.method === "OPTIONS") return next(); // CORS preflights: the browser's, not a client's request
    const route = endpointOf(ctx.method, ctx.path);
    if (route && PAGE_FILES.test(route)) return next();
    const at = new Date();
    const meter = responseMeter(ctx);
    onResponseClosed(ctx, () => {
      const record: UsageRecord = {
        at,
        requestId: String(ctx.state.requestId),
        keyId: (ctx.state.apiKey as ApiKey | undefined)?.id ?? null,
        endpoint: route ?? `${ctx.method} (no route)`,
        status: closedStatus(ctx),
        errorCode: lateFailure(ctx)?.errorCode ?? errorCodeOf(ctx.body),
        ...withDefaults(notedUsage(ctx)),
        bytesOut: meter.bytes,
        ttfbMs: meter.firstByteMs === null ? null : Math.round(meter.firstByteMs * 10) / 10,
        durationMs: Math.round((performance.now() - requestStarted(ctx)) * 10) / 10,
      };
      try {
        usage.record(record);
      } catch (error) {
        log.error({ err: error, requestId: record.requestId }, "usage: the row could not be written");
      }
    });
    await next();
  };
}

function withDefaults(facts: ReturnType<typeof notedUsage>) {
  return {
    engine: facts.engine ?? null,
    voice: facts.voice ?? null,
    format: facts.format ?? null,
    streamMode: facts.streamMode ?? null,
    inputChars: facts.inputChars ?? 0,
    inputAudioMs: Math.round(facts.inputAudioMs ?? 0),
    outputAudioMs: Math.round(facts.outputAudioMs ?? 0),
  };
}

/** The stable code of an error body, ours (`error_code`) or OpenAI's (`error.code`); null for other bodies. */
function errorCodeOf(body: unknown): string | null {
  if (typeof body !== "object" || body === null) return null;
  const ours = (body as { error_code?: unknown }).error_code;
  if (typeof ours === "string") return ours;
  const openAi = (body as { error?: { code?: unknown } }).error?.code;
  return typeof openAi === "string" ? openAi.toUpperCase() : null;
}
