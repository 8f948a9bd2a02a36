/** The error a streamed response failed with after its status went out, noted for the usage row and the metrics. */
import type { Context } from "koa";
import { toErrorResponse } from "../error-table.js";
import { noteLateFailure } from "../middleware/request-context.js";

export function noteFailedAfterStart(ctx: Context, error: unknown): void {
  const { status, body } = toErrorResponse(error);
  noteLateFailure(ctx, { status, errorCode: body.error_code });
}
