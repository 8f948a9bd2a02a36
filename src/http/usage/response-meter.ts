/** Counts the body bytes a response sends and when the first one left, by wrapping its write and end. */
import type { ServerResponse } from "node:http";
import type { Context } from "koa";
import { requestStarted } from "../middleware/request-context.js";

export interface ResponseMeter {
  bytes: number;
  /** Milliseconds from `started` to the first body byte; null while none was sent. */
  firstByteMs: number | null;
}

/** The request's meter, from its arrival; made on first use, so every reader shares one. */
export function responseMeter(ctx: Context): ResponseMeter {
  return (ctx.state.meter ??= meterResponse(ctx.res, requestStarted(ctx))) as ResponseMeter;
}

function meterResponse(res: ServerResponse, started: number): ResponseMeter {
  const meter: ResponseMeter = { bytes: 0, firstByteMs: null };
  const count = (chunk: unknown) => {
    if (typeof chunk !== "string" && !(chunk instanceof Uint8Array)) return;
    const size = typeof chunk === "string" ? Buffer.byteLength(chunk) : chunk.byteLength;
    if (size === 0) return;
    meter.bytes += size;
    meter.firstByteMs ??= performance.now() - started;
  };
  const { write, end } = res;
  res.write = function (this: ServerResponse, chunk: unknown, ...rest: unknown[]) {
    count(chunk);
    return (write as (...args: unknown[]) => boolean).call(this, chunk, ...rest);
  } as ServerResponse["write"];
  res.end = function (this: ServerResponse, chunk?: unknown, ...rest: unknown[]) {
    count(chunk);
    return (end as (...args: unknown[]) => ServerResponse).call(this, chunk, ...rest);
  } as ServerResponse["end"];
  return meter;
}
