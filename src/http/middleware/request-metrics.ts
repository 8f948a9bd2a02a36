/**
 * Feeds the HTTP metrics: one count, duration and byte total per request, labelled by route pattern, method
 * and status, taken when the response is over (so a streamed body counts whole), and the time to the first
 * audio byte of speech responses. A client that left before the end counts as 499, as in the access log.
 * Mounted inside the request context, whose signal tells that the client left.
 */
import type { ServerResponse } from "node:http";
import type Router from "@koa/router";
import type { Middleware } from "koa";
import type { HttpMetrics } from "../../services/metrics/http-metrics.js";
import { routeMatcher } from "../route-pattern.js";
import { responseMeter } from "../usage/response-meter.js";
import { closedStatus, onResponseClosed, requestStarted } from "./request-context.js";

/** The label of requests no route serves (404, 405): one series for all of them, whatever the URL. */
const UNMATCHED = "unmatched";
/** Routes whose responses are speech, where the first byte is the first audio the listener gets. */
const SPEECH_ROUTES = new Set(["POST /api/v1/tts", "POST /v1/audio/speech"]);
/** Audio bytes, or OpenAI's speech events, whose first event already carries audio. (JSON answers hold none.) */
const SPEECH_TYPES = /^(audio\/|text\/event-stream)/;

export interface RequestMetricsOptions {
  metrics: HttpMetrics;
  /** Every router of the app, in the order they are mounted. */
  routers: readonly Router[];
}

export function requestMetrics({ metrics, routers }: RequestMetricsOptions): Middleware {
  const routeOf = routeMatcher(routers);
  return async (ctx, next) => {
    const started = requestStarted(ctx);
    const { method } = ctx;
    const matched = routeOf(method, ctx.path);
    const route = matched === undefined ? UNMATCHED : matched.slice(matched.indexOf(" ") + 1);
    const meter = responseMeter(ctx);
    const observe = (status: number) => {
      metrics.request({ route, method, status, seconds: (performance.now() - started) / 1000, bytes: meter.bytes });
      if (status === 200 && meter.firstByteMs !== null && isSpeech(matched, ctx.res)) {
        metrics.firstAudio(route, String(ctx.res.getHeader("X-Engine") ?? "unknown"), meter.firstByteMs / 1000);
      }
    };
    onResponseClosed(ctx, () => observe(closedStatus(ctx)));
    await next();
  };
}

function isSpeech(route: string | undefined, res: ServerResponse): boolean {
  return SPEECH_ROUTES.has(route ?? "") && SPEECH_TYPES.test(String(res.getHeader("Content-Type") ?? ""));
}
