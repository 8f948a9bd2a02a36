import type { Context, Next } from "koa";
import type { Logger } from "../../logging.js";
import { NotFoundError } from "../../domain/errors.js";
import { toErrorResponse } from "../error-table.js";

/**
 * Catches every error below it and renders the one error body. Client disconnects (499) are logged only;
 * unexpected errors are logged with their stack and shown as a generic 500.
 */
export function errorHandler(log: Logger) {
  return async function errorHandlerMiddleware(ctx: Context, next: Next): Promise<void> {
    try {
      await next();
      if (ctx.status === 404 && ctx.body === undefined) {
        throw new NotFoundError(`Not found: ${ctx.method} ${ctx.path}`);
      }
    } catch (error) {
      const response = toErrorResponse(error);
      const requestLog = (ctx.state.log as Logger | undefined) ?? log;
      if (response.unexpected) requestLog.error({ err: error }, "unhandled error");
      else requestLog.info({ status: response.status, code: response.body.error_code }, response.body.error);
      ctx.status = response.status;
      if (response.retryAfterSeconds !== undefined) ctx.set("Retry-After", String(response.retryAfterSeconds));
      ctx.body = response.body;
    }
  };
}
