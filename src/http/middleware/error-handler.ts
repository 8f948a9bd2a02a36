import type { Context, Next } from "koa";
import type { Logger } from "../../logging.js";
import { MethodNotAllowedError, NotFoundError, NotImplementedError } from "../../domain/errors.js";
import { toErrorResponse } from "../error-table.js";
import { isOpenAiPath, toOpenAiError } from "../openai/openai-error.js";

/** Routing outcomes that arrive as a bare status (router.allowedMethods sets 405/501 and Allow) become errors. */
function routingError(ctx: Context): Error | undefined {
  if (ctx.body !== undefined && ctx.body !== null) return undefined;
  const allow = String(ctx.response.get("Allow") ?? "")
    .split(/,\s*/)
    .filter((method) => method !== "");
  if (ctx.status === 404) return new NotFoundError(`Not found: ${ctx.method} ${ctx.path}`);
  if (ctx.status === 405) return new MethodNotAllowedError(`${ctx.method} is not allowed on ${ctx.path}`, allow);
  if (ctx.status === 501) return new NotImplementedError(`This server does not implement ${ctx.method}`, allow);
  return undefined;
}

/**
 * Catches every error below it and renders the error body of its API (OpenAI's under /v1, ours elsewhere)
 * with the headers the error implies (Retry-After, Allow). Client disconnects (499) are logged only; unexpected errors are logged with their
 * stack and shown as a generic 500.
 */
export function errorHandler(log: Logger) {
  return async function errorHandlerMiddleware(ctx: Context, next: Next): Promise<void> {
    try {
      await next();
      const routing = routingError(ctx);
      if (routing) throw routing;
    } catch (error) {
      const response = toErrorResponse(error);
      const requestLog = (ctx.state.log as Logger | undefined) ?? log;
      if (response.unexpected) requestLog.error({ err: error }, "unhandled error");
      else requestLog.info({ status: response.status, code: response.body.error_code }, response.body.error);
      const shown = isOpenAiPath(ctx.path) ? toOpenAiError(response) : response;
      ctx.status = shown.status;
      ctx.set(shown.headers);
      ctx.body = shown.body;
    }
  };
}
