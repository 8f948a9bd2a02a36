/**
 * The one mapping from errors to HTTP for /api routes: status, stable code and the error body
 * `{success:false, error, error_code, detail}`. Unknown errors become a generic 500 with no internals.
 */
import { AudioToolError } from "../audio/audio-errors.js";
import {
  AuthenticationError,
  BadRequestError,
  ClientGoneError,
  ConflictError,
  DomainError,
  InferenceFailedError,
  IndexBuildingError,
  InferenceTimeoutError,
  MethodNotAllowedError,
  ModelNotReadyError,
  NotFoundError,
  NotImplementedError,
  OverloadedError,
  PayloadTooLargeError,
  PermissionDeniedError,
  QuotaExceededError,
  RateLimitedError,
  ServerMisconfiguredError,
  ShuttingDownError,
  SpeechRecognitionUnavailableError,
  UnsupportedMediaTypeError,
  UpstreamError,
  UpstreamTimeoutError,
  ValidationError,
  type ErrorDetail,
} from "../domain/errors.js";

type ErrorClass = abstract new (...args: never[]) => DomainError;

/**
 * A WebSocket endpoint asked for with a plain HTTP request (RFC 9110 §15.5.22: the answer names the protocol to
 * switch to in `Upgrade`). An HTTP matter, not a domain one, so it lives next to its status.
 */
export class UpgradeRequiredError extends DomainError {
  readonly code = "UPGRADE_REQUIRED";
  override readonly headers: Readonly<Record<string, string>> = { Upgrade: "websocket", Connection: "Upgrade" };
}

/** Domain error class → HTTP status. Order does not matter: the classes are disjoint. */
export const HTTP_STATUS_BY_ERROR: ReadonlyArray<readonly [ErrorClass, number]> = [
  [ValidationError, 422],
  [BadRequestError, 400],
  [AuthenticationError, 401],
  [PermissionDeniedError, 403],
  [NotFoundError, 404],
  [MethodNotAllowedError, 405],
  [ConflictError, 409],
  [PayloadTooLargeError, 413],
  [UnsupportedMediaTypeError, 415],
  [UpgradeRequiredError, 426],
  [OverloadedError, 429],
  [RateLimitedError, 429],
  [QuotaExceededError, 429],
  [ClientGoneError, 499],
  [InferenceFailedError, 500],
  [ServerMisconfiguredError, 500],
  [NotImplementedError, 501],
  [SpeechRecognitionUnavailableError, 501],
  [UpstreamError, 502],
  [ModelNotReadyError, 503],
  [ShuttingDownError, 503],
  [IndexBuildingError, 503],
  [InferenceTimeoutError, 504],
  [UpstreamTimeoutError, 504],
];

/** Codes for errors raised by Koa middleware (http-errors) rather than by our own code. */
const CODE_BY_HTTP_STATUS: Record<number, string> = {
  400: "BAD_REQUEST",
  404: "RESOURCE_NOT_FOUND",
  405: "METHOD_NOT_ALLOWED",
  413: "PAYLOAD_TOO_LARGE",
  415: "UNSUPPORTED_MEDIA_TYPE",
};

export interface ErrorBody {
  success: false;
  error: string;
  error_code: string;
  detail: ErrorDetail | null;
}

export interface ErrorResponse {
  status: number;
  body: ErrorBody;
  /** Headers the error implies, e.g. Retry-After or Allow. */
  headers: Record<string, string>;
  /** True for errors the server did not expect; they are logged with their stack. */
  unexpected: boolean;
}

function body(error: string, code: string, detail: ErrorDetail | null = null): ErrorBody {
  return { success: false, error, error_code: code, detail };
}

/** An error raised by Koa or one of its middlewares, carrying a client-safe status and message. */
function isExposedHttpError(
  error: unknown,
): error is { status: number; message: string; headers?: Record<string, string> } {
  const candidate = error as { status?: unknown; expose?: unknown };
  return typeof candidate?.status === "number" && candidate.expose === true;
}

export function toErrorResponse(error: unknown): ErrorResponse {
  if (error instanceof AudioToolError) {
    // The server's own tooling failed; its message and stderr tail may name server paths, so only log them.
    return {
      status: 500,
      body: body("Audio processing failed on the server; the details are in the server log", error.code),
      headers: {},
      unexpected: true,
    };
  }
  if (error instanceof DomainError) {
    const status = HTTP_STATUS_BY_ERROR.find(([type]) => error instanceof type)?.[1] ?? 500;
    return {
      status,
      body: body(error.message, error.code, error.detail),
      headers: { ...error.headers },
      unexpected: false,
    };
  }
  if (isExposedHttpError(error) && error.status < 500) {
    const code = CODE_BY_HTTP_STATUS[error.status] ?? "BAD_REQUEST";
    return { status: error.status, body: body(error.message, code), headers: { ...error.headers }, unexpected: false };
  }
  return { status: 500, body: body("Internal server error", "INTERNAL_ERROR"), headers: {}, unexpected: true };
}
