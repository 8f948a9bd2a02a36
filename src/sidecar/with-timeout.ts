/**
 * Timers that never outlive what they guard: every race clears its timer, so a finished supervisor leaves
 * nothing behind that keeps the event loop (or a test run) alive.
 */

/**
 * Settles like `promise`, or rejects with `onTimeout()` once `ms` have passed, whichever comes first.
 * @throws whatever `promise` rejects with, or the timeout error
 */
export function withTimeout<T>(promise: Promise<T>, ms: number, onTimeout: () => Error): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(onTimeout()), Math.max(0, ms));
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** Waits `ms`, or less if `signal` aborts first. Never rejects. */
export function cancellableDelay(ms: number, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const done = (): void => {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, Math.max(0, ms));
    signal?.addEventListener("abort", done, { once: true });
  });
}

/** Waits for `promise` at most `ms`; resolves either way (for best-effort waits such as draining a pipe). */
export function settleWithin(promise: Promise<unknown>, ms: number): Promise<void> {
  return withTimeout(promise, ms, () => new Error("timeout")).then(
    () => undefined,
    () => undefined,
  );
}
