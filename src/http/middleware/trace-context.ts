import type { Context, Next } from "koa";
import { childSpan, formatTraceparent, parseTraceparent, startTrace } from "../../domain/trace-context.js";
import type { Logger } from "../../logging.js";

/**
 * Joins the client's W3C trace (its `traceparent` when valid, else a new one), gives this request a span of its
 * own, echoes it in the response's `traceparent` and puts `traceId` in every log line of the request. Mounted
 * right after requestContext, whose child logger it replaces with one that carries the trace id too.
 */
export function traceContext() {
  return async function traceContextMiddleware(ctx: Context, next: Next): Promise<void> {
    const incoming = parseTraceparent(ctx.get("traceparent") || undefined);
    const ours = incoming ? childSpan(incoming) : startTrace();
    const traceparent = formatTraceparent(ours);
    ctx.state.traceparent = traceparent;
    ctx.state.log = (ctx.state.log as Logger).child({ traceId: ours.traceId });
    ctx.set("traceparent", traceparent);
    await next();
  };
}

/** The `traceparent` naming this request's span, for routes that pass it on to the sidecar. */
export function requestTrace(ctx: Context): string {
  return ctx.state.traceparent as string;
}
