/**
 * Promise and async-iterable wrappers around grpc-js calls. Each wrapper owns the three rules every sidecar
 * call follows: a deadline, cancellation through an AbortSignal, and status → DomainError mapping done once.
 */
import {
  type CallOptions,
  type Metadata,
  type ClientReadableStream,
  type ClientUnaryCall,
  type ServiceError,
} from "@grpc/grpc-js";
import { ClientGoneError, type DomainError } from "../domain/errors.js";
import type { CallTracker, TrackedCall } from "./call-tracker.js";
import { toDomainError } from "./grpc-errors.js";
import { StreamReader } from "./stream-reader.js";

/** A generated unary method, in its (request, metadata, options, callback) overload. */
export type UnaryMethod<Req, Res> = (
  request: Req,
  metadata: Metadata,
  options: Partial<CallOptions>,
  callback: (error: ServiceError | null, response: Res) => void,
) => ClientUnaryCall;

/** What every call needs besides its request. */
export interface CallContext {
  /** Absolute deadline, epoch milliseconds; one already past fails with DEADLINE_EXCEEDED without waiting. */
  deadline: number;
  /** Sent with the call (x-request-id, traceparent, x-priority, and the admin token on admin RPCs). */
  metadata: Metadata;
  signal?: AbortSignal | undefined;
  tracker: CallTracker;
  /** Sees every failure once, already mapped, with the raw error beside it (for logging). */
  onFailure?: (error: DomainError, raw: unknown) => void;
}

function clientGone(): ClientGoneError {
  return new ClientGoneError("The request was cancelled before it reached the inference engine.");
}

function fail(context: CallContext, tracked: TrackedCall | undefined, raw: unknown): DomainError {
  const error = tracked?.override ?? toDomainError(raw);
  context.onFailure?.(error, raw);
  return error;
}

/** Calls a unary method. An already-aborted signal rejects with ClientGoneError without calling. */
export function unaryCall<Req, Res>(method: UnaryMethod<Req, Res>, request: Req, context: CallContext): Promise<Res> {
  if (context.signal?.aborted) return Promise.reject(fail(context, undefined, clientGone()));
  return new Promise<Res>((resolve, reject) => {
    const call = method(request, context.metadata, { deadline: context.deadline }, (error, response) => {
      context.signal?.removeEventListener("abort", onAbort);
      context.tracker.remove(tracked);
      if (error) reject(fail(context, tracked, error));
      else resolve(response);
    });
    const onAbort = (): void => call.cancel();
    const tracked = context.tracker.add(onAbort);
    context.signal?.addEventListener("abort", onAbort, { once: true });
  });
}

/**
 * Iterates a server stream. The iterator finishes only after an OK trailing status; any other status
 * rejects (after the messages that came before it). Stopping early (break, throw, return) cancels the call.
 */
export async function* serverStreamCall<Res>(
  open: (metadata: Metadata, options: Partial<CallOptions>) => ClientReadableStream<Res>,
  context: CallContext,
): AsyncGenerator<Res, void, undefined> {
  if (context.signal?.aborted) throw fail(context, undefined, clientGone());
  const call = open(context.metadata, { deadline: context.deadline });
  const reader = new StreamReader(call);
  const cancel = (): void => call.cancel();
  const tracked = context.tracker.add(cancel);
  context.signal?.addEventListener("abort", cancel, { once: true });
  try {
    for (;;) {
      let result: IteratorResult<Res, undefined>;
      try {
        result = await reader.next();
      } catch (error) {
        throw fail(context, tracked, error);
      }
      if (result.done) return;
      yield result.value;
    }
  } finally {
    context.signal?.removeEventListener("abort", cancel);
    context.tracker.remove(tracked);
    if (!reader.finished) call.cancel();
  }
}
