/**
 * Graceful shutdown of the HTTP side: once draining, new requests are refused with 503 and `Retry-After` (a load
 * balancer or client goes elsewhere or comes back), while the requests in flight run to their end. `drain`
 * resolves when none is left, or when the grace runs out.
 */
import type { Middleware } from "koa";
import { ShuttingDownError } from "../../domain/errors.js";
import { cancellableDelay } from "../../sidecar/with-timeout.js";
import { onResponseClosed } from "./request-context.js";

/** What a refused client is told to wait: about the time a restarted server takes to come back. */
const RETRY_AFTER_SECONDS = 5;

export class HttpDrain {
  private inFlight = 0;
  private draining = false;
  private readonly idle = new AbortController();

  /** Requests in flight now. */
  get pending(): number {
    return this.inFlight;
  }

  /** Mounted inside the error handler, which turns the refusal into the error body. */
  middleware(): Middleware {
    return async (ctx, next) => {
      if (this.draining) throw new ShuttingDownError("The server is shutting down; retry shortly", RETRY_AFTER_SECONDS);
      this.inFlight += 1;
      onResponseClosed(ctx, () => {
        this.inFlight -= 1;
        if (this.draining && this.inFlight === 0) this.idle.abort();
      });
      await next();
    };
  }

  /** Starts refusing new requests; true once every request in flight has ended, false if `graceMs` ran out first. */
  async drain(graceMs: number): Promise<boolean> {
    this.draining = true;
    if (this.inFlight === 0) return true;
    await cancellableDelay(graceMs, this.idle.signal);
    return this.inFlight === 0;
  }
}
