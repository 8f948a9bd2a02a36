import type { Middleware } from "koa";
import { koaBody } from "koa-body";
import { BadRequestError, PayloadTooLargeError, UnsupportedMediaTypeError } from "../../domain/errors.js";

/** Parses JSON bodies up to `maxBytes`; unreadable or oversized bodies become our own 400 / 413 errors. */
export function jsonBody(maxBytes: number): Middleware {
  return koaBody({
    json: true,
    jsonStrict: true,
    urlencoded: false,
    text: false,
    multipart: false,
    jsonLimit: maxBytes,
    onError: (error) => {
      if ((error as { status?: number }).status === 413) {
        throw new PayloadTooLargeError(`The request body is larger than the limit of ${maxBytes} bytes`);
      }
      throw new BadRequestError(`The request body is not valid JSON: ${error.message}`);
    },
  });
}

/** For routes that take a JSON body: anything else is a 415 naming what to send. */
export const jsonBodyRequired: Middleware = async (ctx, next) => {
  if (!ctx.request.is("application/json")) {
    throw new UnsupportedMediaTypeError(`${ctx.method} ${ctx.path} takes a JSON body (Content-Type: application/json)`);
  }
  await next();
};
