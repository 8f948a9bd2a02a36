/**
 * OpenAI's Server-Sent Events (transcriptions and speech with `stream`): one `data:` line of JSON per event.
 * A failure after the stream began can no longer change the status, so it becomes an `error` event holding
 * OpenAI's error object. Nothing is written once the client has gone (its body was destroyed).
 */
import { PassThrough } from "node:stream";
import type { Context } from "koa";
import { toErrorResponse } from "../error-table.js";
import { requestLog } from "../middleware/request-context.js";
import { toOpenAiError } from "../openai/openai-error.js";
import { noteFailedAfterStart } from "./late-failure.js";

export interface EventStream {
  send(event: object): void;
  /** Logs `error`, sends it as the `error` event and notes it for the request's accounting. */
  fail(error: unknown): void;
  end(): void;
}

/** Makes the response an event stream; `what` names it in the log. */
export function startEventStream(ctx: Context, what: string): EventStream {
  ctx.type = "text/event-stream";
  ctx.set("Cache-Control", "no-cache");
  const out = new PassThrough();
  ctx.body = out;
  const send = (event: object) => {
    if (!out.destroyed) out.write(`data: ${JSON.stringify(event)}\n\n`);
  };
  return {
    send,
    fail: (error) => {
      requestLog(ctx).warn({ err: error }, `${what} failed after it started`);
      noteFailedAfterStart(ctx, error);
      send({ type: "error", ...toOpenAiError(toErrorResponse(error)).body });
    },
    end: () => out.end(),
  };
}
