import { randomUUID } from "node:crypto";
import type { Context, Next } from "koa";
import type { Logger } from "../../logging.js";

const CLIENT_REQUEST_ID = /^[\w.:-]{1,128}$/;

/**
 * The id a request goes by: the client's X-Request-ID when it is sane (so it can find its request in our logs),
 * else a new one. HTTP requests and WebSocket upgrades follow this one rule.
 */
export function requestIdFor(given: string | string[] | undefined): string {
  return typeof given === "string" && CLIENT_REQUEST_ID.test(given) ? given : randomUUID();
}

/**
 * Gives every request an id (the client's X-Request-ID when it is sane), a child logger, an AbortSignal that
 * fires when the client disconnects before the response is finished, one "response closed" hook for the
 * middleware that accounts for the request (see onResponseClosed), and one access-log line.
 */
export function requestContext(log: Logger) {
  return async function requestContextMiddleware(ctx: Context, next: Next): Promise<void> {
    const requestId = requestIdFor(ctx.get("X-Request-ID"));
    const started = performance.now();
    const abort = new AbortController();
    const closedHooks: Array<() => void> = [];
    ctx.state.closedHooks = closedHooks;
    ctx.res.once("close", () => {
      if (!ctx.res.writableFinished) abort.abort();
      for (const hook of closedHooks) hook();
    });
    ctx.state.requestId = requestId;
    ctx.state.startedAt = started;
    ctx.state.signal = abort.signal;
    ctx.state.log = log.child({ reqId: requestId });
    ctx.set("X-Request-ID", requestId);
    try {
      await next();
    } finally {
      const durationMs = Math.round(performance.now() - started);
      const status = abort.signal.aborted ? 499 : ctx.status;
      (ctx.state.log as Logger).info({ method: ctx.method, url: ctx.url, status, durationMs }, "request");
    }
  };
}

/**
 * Runs `hook` once when the response has closed, however it ended (finished, or abandoned: then the request's
 * signal has already aborted). One listener on the response serves every hook: streamed responses already carry
 * many `close` listeners of their own, and Node warns past ten.
 */
export function onResponseClosed(ctx: Context, hook: () => void): void {
  (ctx.state.closedHooks as Array<() => void>).push(hook);
}

/** How a response whose status had already been sent failed (see noteLateFailure). */
export interface LateFailure {
  status: number;
  errorCode: string;
}

/**
 * Records that a streamed response failed after its status went out: it could only be broken off or end with an
 * `error` event, and accounting would otherwise count a client that left (broken-off bytes) or a success (events).
 * A client that had left first is counted as gone, whatever failed after it.
 */
export function noteLateFailure(ctx: Context, failure: LateFailure): void {
  if (!requestSignal(ctx).aborted) ctx.state.lateFailure = failure;
}

export function lateFailure(ctx: Context): LateFailure | undefined {
  return ctx.state.lateFailure as LateFailure | undefined;
}

/**
 * The status of the request, for accounting once the response has closed: a late failure's, else the one the
 * client got, or 499 when it left first.
 */
export function closedStatus(ctx: Context): number {
  return lateFailure(ctx)?.status ?? (ctx.res.writableFinished ? ctx.res.statusCode : 499);
}

/** `performance.now()` when the request arrived. */
export function requestStarted(ctx: Context): number {
  return ctx.state.startedAt as number;
}

/** The signal that aborts when the client of this request goes away. */
export function requestSignal(ctx: Context): AbortSignal {
  return ctx.state.signal as AbortSignal;
}

/** The id of this request (the client's X-Request-ID when sane), echoed in the response and the logs. */
export function requestId(ctx: Context): string {
  return ctx.state.requestId as string;
}

export function requestLog(ctx: Context): Logger {
  return ctx.state.log as Logger;
}
