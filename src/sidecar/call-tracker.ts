/**
 * The calls in flight on one sidecar connection, so that when the process dies the supervisor can fail them
 * at once with a clear error instead of leaving each to discover the dead connection on its own.
 */
import type { DomainError } from "../domain/errors.js";

/** One call in flight. `override` replaces whatever status the cancelled call ends with. */
export interface TrackedCall {
  cancel(): void;
  override: DomainError | undefined;
}

/** A set of cancellable calls; one per client (channel). */
export class CallTracker {
  private readonly calls = new Set<TrackedCall>();

  /** Registers a call; the returned handle must be passed to `remove` when the call settles. */
  add(cancel: () => void): TrackedCall {
    const call: TrackedCall = { cancel, override: undefined };
    this.calls.add(call);
    return call;
  }

  remove(call: TrackedCall): void {
    this.calls.delete(call);
  }

  /** Cancels every call in flight; each rejects with `error` rather than with CANCELLED. */
  failAll(error: DomainError): void {
    for (const call of [...this.calls]) {
      call.override = error;
      call.cancel();
    }
  }
}
