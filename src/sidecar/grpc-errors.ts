/**
 * THE table from gRPC status codes to domain errors (design.md §4). Every failed sidecar call goes through
 * `toDomainError` exactly once, in the call wrappers of grpc-call.ts; nothing else in the server looks at
 * gRPC codes. Must match the Python interceptor (sidecar/chatterbox_sidecar/errors.py), which raises them.
 */
import { status as Status, type Metadata } from "@grpc/grpc-js";
import {
  ClientGoneError,
  DomainError,
  InferenceFailedError,
  InferenceTimeoutError,
  ModelNotReadyError,
  NotFoundError,
  OverloadedError,
  PayloadTooLargeError,
  ValidationError,
} from "../domain/errors.js";
import { sidecarErrorInfo } from "./error-info.js";

/** Retry-After for "loading, draining or restarting": a restart usually takes a few seconds. */
export const NOT_READY_RETRY_AFTER_SECONDS = 5;
/** Retry-After for a full queue: one segment of work usually frees a slot. */
export const OVERLOADED_RETRY_AFTER_SECONDS = 2;
/** What clients see for failures we cannot explain to them; the sidecar's own text goes to the log. */
export const GENERIC_FAILURE_MESSAGE = "Inference failed. The details are in the server log.";

/**
 * INVALID_ARGUMENT reasons about input the server itself built (segments come from our own text
 * segmentation): a refusal is the server's fault, so the client gets a 500, never a 422 naming gRPC fields.
 */
export const SERVER_FAULT_REASONS: ReadonlySet<string> = new Set(["SEGMENT_TOO_LONG", "SEGMENT_BLANK", "NO_SEGMENTS"]);

/** One row of the table. */
export interface GrpcErrorMapping {
  readonly status: Status;
  /** Builds the domain error from the sidecar's status details. */
  readonly toDomain: (details: string) => DomainError;
}

/** Sidecar-authored details are shown only where they tell the client what to fix. */
function orDefault(details: string, fallback: string): string {
  return details.trim() === "" ? fallback : details;
}

/** The table itself, as data so a test can walk every row. Codes not listed fall back to InferenceFailed. */
export const GRPC_ERROR_TABLE: readonly GrpcErrorMapping[] = [
  {
    status: Status.INVALID_ARGUMENT,
    toDomain: (details) => new ValidationError(orDefault(details, "The inference engine rejected the input.")),
  },
  {
    status: Status.NOT_FOUND,
    toDomain: (details) => new NotFoundError(orDefault(details, "The requested voice or model does not exist.")),
  },
  {
    // Loading, draining, or the process is gone (connection refused / dropped): grpc-js's own text here
    // names ports and sockets, so the message is fixed.
    status: Status.UNAVAILABLE,
    toDomain: () =>
      new ModelNotReadyError("The inference engine is not available right now.", NOT_READY_RETRY_AFTER_SECONDS),
  },
  {
    status: Status.FAILED_PRECONDITION,
    toDomain: (details) =>
      new ModelNotReadyError(orDefault(details, "The inference engine is not ready."), NOT_READY_RETRY_AFTER_SECONDS),
  },
  {
    status: Status.RESOURCE_EXHAUSTED,
    toDomain: () =>
      new OverloadedError("The inference engine is busy; try again shortly.", OVERLOADED_RETRY_AFTER_SECONDS),
  },
  {
    // The result could not fit in one message; the sidecar's advice names gRPC remedies, so the text is fixed.
    status: Status.OUT_OF_RANGE,
    toDomain: () => new PayloadTooLargeError("The audio is too long to process in one piece; send shorter audio."),
  },
  {
    status: Status.DEADLINE_EXCEEDED,
    toDomain: () => new InferenceTimeoutError("Inference did not finish before its deadline."),
  },
  {
    status: Status.CANCELLED,
    toDomain: () => new ClientGoneError("The request was cancelled."),
  },
];

const TABLE_BY_STATUS = new Map(GRPC_ERROR_TABLE.map((row) => [row.status, row]));

/** The shape of a grpc-js ServiceError or StatusObject that we rely on. */
interface GrpcStatusLike {
  code: number;
  details?: string;
  metadata?: Metadata;
}

/** True for grpc-js errors and status objects (a numeric `code`; Node system errors have string codes). */
export function isGrpcStatus(value: unknown): value is GrpcStatusLike {
  return typeof value === "object" && value !== null && typeof (value as { code?: unknown }).code === "number";
}

/** The symbolic name of a status code, e.g. "UNAVAILABLE", for logs. */
export function statusName(code: number): string {
  return Status[code] ?? `CODE_${code}`;
}

/**
 * Maps any failure of a sidecar call to a DomainError. A DomainError passes through unchanged, so the
 * mapping can never happen twice. The original error is kept as `cause` (for logs only).
 */
export function toDomainError(error: unknown): DomainError {
  if (error instanceof DomainError) return error;
  if (!isGrpcStatus(error) || isServerFault(error)) {
    return withCause(new InferenceFailedError(GENERIC_FAILURE_MESSAGE), error);
  }
  const row = TABLE_BY_STATUS.get(error.code);
  const mapped = row ? row.toDomain(error.details ?? "") : new InferenceFailedError(GENERIC_FAILURE_MESSAGE);
  return withCause(mapped, error);
}

/** The sidecar's own status text behind a mapped error, for logs and startup reports; never for clients. */
export function sidecarDetails(error: unknown): string | undefined {
  const cause = error instanceof Error ? error.cause : undefined;
  if (isGrpcStatus(cause)) return cause.details;
  return isGrpcStatus(error) ? error.details : undefined;
}

function isServerFault(error: GrpcStatusLike): boolean {
  const reason = sidecarErrorInfo(error.metadata)?.reason;
  return error.code === Status.INVALID_ARGUMENT && reason !== undefined && SERVER_FAULT_REASONS.has(reason);
}

/** The stable reason the sidecar gave for a failure (mapped or raw), for logs. */
export function sidecarReason(error: unknown): string | undefined {
  const cause = error instanceof Error && isGrpcStatus(error.cause) ? error.cause : error;
  return isGrpcStatus(cause) ? sidecarErrorInfo(cause.metadata)?.reason : undefined;
}

function withCause<E extends Error>(error: E, cause: unknown): E {
  error.cause = cause;
  return error;
}
