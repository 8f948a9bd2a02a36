/**
 * Domain errors: what went wrong, in terms every layer understands. Each class has a stable UPPER_SNAKE
 * `code` that clients may branch on; the HTTP status of each lives in one table in src/http/error-table.ts.
 */

/** One field-level problem, in the shape of the `detail` list of the API error body. */
export interface FieldIssue {
  /** Where the problem is, e.g. ["body", "temperature"] or ["query", "response_mode"]. */
  loc: Array<string | number>;
  msg: string;
  type: string;
}

export type ErrorDetail = string | FieldIssue[];

export abstract class DomainError extends Error {
  abstract readonly code: string;
  readonly detail: ErrorDetail | undefined;
  /** Response headers the error implies (e.g. `Allow` for a wrong method); copied into the error response. */
  readonly headers: Readonly<Record<string, string>> = {};

  constructor(message: string, detail?: ErrorDetail) {
    super(message);
    this.name = new.target.name;
    this.detail = detail;
  }
}

/** The request is well-formed JSON but its values break the contract (ranges, enums, types). */
export class ValidationError extends DomainError {
  readonly code = "VALIDATION_ERROR";
}

/** A request that can never work as sent for reasons other than field validation, e.g. a path leaving its root. */
export class BadRequestError extends DomainError {
  constructor(
    message: string,
    readonly code: string = "BAD_REQUEST",
    detail?: ErrorDetail,
  ) {
    super(message, detail);
  }
}

/** No API key, or one that is unknown or revoked, on a route that needs one. */
export class AuthenticationError extends DomainError {
  readonly code = "INVALID_API_KEY";
  override readonly headers: Readonly<Record<string, string>> = { "WWW-Authenticate": 'Bearer realm="chatterbox"' };
}

/** A valid API key without the scope the route needs. */
export class PermissionDeniedError extends DomainError {
  readonly code = "PERMISSION_DENIED";
}

/** A named thing (voice, file, model) does not exist. */
export class NotFoundError extends DomainError {
  // Typed `string` so a subclass can name what was not found more precisely (ModelNotFoundError).
  readonly code: string = "RESOURCE_NOT_FOUND";
}

/** A model name the server does not serve (OpenAI answers it with the code `model_not_found`). */
export class ModelNotFoundError extends NotFoundError {
  override readonly code = "MODEL_NOT_FOUND";
}

/** The request collides with what exists (a name already taken, a name that matches several files). */
export class ConflictError extends DomainError {
  readonly code = "CONFLICT";
}

/** Errors that tell the client to come back later carry how long to wait (sent as Retry-After). */
export abstract class RetryableError extends DomainError {
  override readonly headers: Readonly<Record<string, string>>;

  constructor(
    message: string,
    readonly retryAfterSeconds: number,
    detail?: ErrorDetail,
  ) {
    super(message, detail);
    this.headers = { "Retry-After": String(retryAfterSeconds) };
  }
}

/** An API key sent more requests per minute, or more at once, than it may; retry after `Retry-After`. */
export class RateLimitedError extends RetryableError {
  readonly code = "RATE_LIMITED";
}

/** An API key used up its daily quota: a retry cannot succeed before the quota resets (`Retry-After`). */
export class QuotaExceededError extends RetryableError {
  readonly code = "QUOTA_EXCEEDED";
  override readonly headers: Readonly<Record<string, string>>;

  constructor(message: string, retryAfterSeconds: number) {
    super(message, retryAfterSeconds);
    this.headers = { "Retry-After": String(retryAfterSeconds), "x-should-retry": "false" };
  }
}

/** The server is shutting down: requests in flight finish, new ones go elsewhere or come back later. */
export class ShuttingDownError extends RetryableError {
  readonly code = "SHUTTING_DOWN";
}

/** The inference engine is starting, restarting, loading or draining. */
export class ModelNotReadyError extends RetryableError {
  readonly code = "MODEL_NOT_READY";
}

/** A library's index is still being built from the files on disk (first start, or after it was deleted). */
export class IndexBuildingError extends RetryableError {
  readonly code = "INDEX_BUILDING";
}

/** The inference queue is full, a queued job waited too long to start, or the device ran out of memory. */
export class OverloadedError extends RetryableError {
  readonly code = "OVERLOADED";
}

/** Inference did not finish before its deadline. */
export class InferenceTimeoutError extends DomainError {
  readonly code = "INFERENCE_TIMEOUT";
}

/** The client went away; nobody reads the answer, so it is only logged. */
export class ClientGoneError extends DomainError {
  readonly code = "CLIENT_CLOSED_REQUEST";
}

/** Inference failed for a reason the client cannot fix. The message is generic; details go to the log. */
export class InferenceFailedError extends DomainError {
  readonly code = "INFERENCE_FAILED";
}

/** A request with a method the route cannot take; `Allow` names the ones it can (HTTP requires it). */
abstract class MethodError extends DomainError {
  override readonly headers: Readonly<Record<string, string>>;

  constructor(message: string, allow: readonly string[]) {
    super(message);
    this.headers = { Allow: allow.join(", ") };
  }
}

/** The route exists, but not for this method. */
export class MethodNotAllowedError extends MethodError {
  readonly code = "METHOD_NOT_ALLOWED";
}

/** The HTTP method is not one this server implements for any route. */
export class NotImplementedError extends MethodError {
  readonly code = "NOT_IMPLEMENTED";
}

/** Speech recognition was asked for, but this server has no recognizer or no model: retrying cannot help. */
export class SpeechRecognitionUnavailableError extends DomainError {
  readonly code = "STT_UNAVAILABLE";
}

/**
 * The server's own configuration names something that is not there (e.g. `openai.voice_aliases` maps a name to
 * a voice missing from the library). Not the client's fault, and retrying cannot help until an operator fixes
 * config.yaml; the message says which key is wrong.
 */
export class ServerMisconfiguredError extends DomainError {
  readonly code = "SERVER_MISCONFIGURED";
}

/** An upload or body is larger than the configured limit. */
export class PayloadTooLargeError extends DomainError {
  readonly code = "PAYLOAD_TOO_LARGE";
}

/** The request body is not of a media type the endpoint accepts. */
export class UnsupportedMediaTypeError extends DomainError {
  readonly code = "UNSUPPORTED_MEDIA_TYPE";
}

/**
 * A server the client pointed us at (a URL source) could not be reached (refused, reset, TLS or DNS
 * failure) or failed (a 5xx answer, a redirect without a Location). Retrying later may help.
 */
export class UpstreamError extends DomainError {
  constructor(
    message: string,
    /** URL_SOURCE_UNREACHABLE or URL_SOURCE_FAILED. */
    readonly code: "URL_SOURCE_UNREACHABLE" | "URL_SOURCE_FAILED",
  ) {
    super(message);
  }
}

/** A download from a URL source, redirects included, did not finish within `url_sources.timeout_seconds`. */
export class UpstreamTimeoutError extends DomainError {
  readonly code = "URL_SOURCE_TIMEOUT";
}
