/**
 * When a sidecar that will not start (bad weights, a broken CUDA driver, a port still held) is retried, and
 * how fast. Only launch attempts that fail to reach `ready` count against the budget: a sidecar that crashes
 * and comes straight back is healthy again. Past the budget the supervisor is `failed`, but never for good:
 * it tries again every cool-down, so a server left alone heals itself once the cause is gone.
 */

export interface RestartPolicy {
  /** Failed start attempts allowed within any `windowMs` before the supervisor cools down as `failed`. */
  maxRestarts: number;
  windowMs: number;
  /** Delay before the first attempt after a crash; doubles per consecutive attempt. */
  backoffInitialMs: number;
  /** Upper bound of that delay. */
  backoffMaxMs: number;
  /** While `failed`: the pause before each further attempt. */
  cooldownMs: number;
  /** A sidecar ready this long before it crashed is stable again: its restart starts from the initial backoff. */
  stableMs: number;
}

/** A sliding window of failed start attempts. */
export class RestartBudget {
  private readonly failures: number[] = [];

  constructor(
    private readonly policy: Pick<RestartPolicy, "maxRestarts" | "windowMs">,
    private readonly now: () => number = Date.now,
  ) {}

  /** Records a launch attempt that did not reach `ready`. */
  recordFailure(): void {
    this.failures.push(this.now());
  }

  /** True when the failures within the window have used up the budget: time to cool down. */
  exhausted(): boolean {
    const now = this.now();
    while (this.failures.length > 0 && now - (this.failures[0] as number) >= this.policy.windowMs) {
      this.failures.shift();
    }
    return this.failures.length > this.policy.maxRestarts;
  }

  /** Forgets every failure, e.g. once the sidecar reached `ready` again. */
  reset(): void {
    this.failures.length = 0;
  }
}

/**
 * Delay before restart attempt `attempt` (0 = first after a crash): exponential, capped, with "equal
 * jitter" (half fixed, half random) so restarts of several servers do not synchronise yet never come
 * sooner than half the nominal delay.
 * @param random a source in [0, 1), injectable for tests
 */
export function backoffDelay(
  attempt: number,
  policy: Pick<RestartPolicy, "backoffInitialMs" | "backoffMaxMs">,
  random: () => number = Math.random,
): number {
  const exponent = Math.min(Math.max(attempt, 0), 30);
  const nominal = Math.min(policy.backoffMaxMs, policy.backoffInitialMs * 2 ** exponent);
  return Math.round(nominal / 2 + random() * (nominal / 2));
}
