/**
 * The error surface of the OpenAI-compatible routes (/v1/*): OpenAI's body `{"error": {"message", "type",
 * "param", "code"}}` (all four keys always present) built from the same error table as /api, so a status is
 * decided once. Invalid values are 400 here, as OpenAI answers them, and `x-should-retry: false` tells the SDKs
 * not to retry what cannot succeed.
 */
import type { ErrorResponse } from "../error-table.js";

export interface OpenAiErrorBody {
  error: { message: string; type: string; param: string | null; code: string | null };
}

export interface OpenAiErrorResponse {
  status: number;
  body: OpenAiErrorBody;
  headers: Record<string, string>;
}

/** Paths served with OpenAI's error body. */
export function isOpenAiPath(path: string): boolean {
  return path === "/v1" || path.startsWith("/v1/");
}

/** Statuses a retry cannot fix (the SDKs would otherwise retry some of them, e.g. 409 and 5xx). */
const FINAL_STATUSES: ReadonlySet<number> = new Set([400, 401, 403, 404, 405, 409, 413, 415, 426, 501]);
/** Codes of other statuses that a retry cannot fix either: the operator has to change config.yaml first. */
const FINAL_CODES: ReadonlySet<string> = new Set(["SERVER_MISCONFIGURED", "QUOTA_EXCEEDED"]);

function errorType(status: number): string {
  if (status === 401) return "authentication_error";
  if (status === 403) return "permission_error";
  if (status === 429) return "rate_limit_error";
  if (status >= 500 && status !== 501) return "server_error";
  return "invalid_request_error";
}

/** The field a validation problem is about: the last name in its location, e.g. ["body", "model"] → "model". */
function paramOf(response: ErrorResponse): string | null {
  const detail = response.body.detail;
  if (!Array.isArray(detail)) return null;
  const names = detail[0]?.loc.filter((part): part is string => typeof part === "string") ?? [];
  return names.length > 1 ? names[names.length - 1]! : null;
}

export function toOpenAiError(response: ErrorResponse): OpenAiErrorResponse {
  const status = response.status === 422 ? 400 : response.status;
  const headers: Record<string, string> = { ...response.headers };
  if (FINAL_STATUSES.has(status) || FINAL_CODES.has(response.body.error_code)) headers["x-should-retry"] = "false";
  return {
    status,
    body: {
      error: {
        message: response.body.error,
        type: errorType(status),
        param: paramOf(response),
        code: response.body.error_code.toLowerCase(),
      },
    },
    headers,
  };
}
