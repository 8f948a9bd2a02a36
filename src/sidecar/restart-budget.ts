/**
 * How often a crashed sidecar may be restarted, and how long to wait before each attempt. A crash loop
 * (bad weights, a broken CUDA driver) must end in a visible `failed` state rather than spin forever.
 */

export interface RestartPolicy {
  /** Restarts allowed within any `windowMs`; one more and the supervisor gives up. */
  maxRestarts: number;
  windowMs: number;
  /** Delay before the first attempt after a crash; doubles per consecutive failed attempt. */
  backoffInitialMs: number;
  /** Upper bound of that delay. */
  backoffMaxMs: number;
}

/** At most 5 restarts per 10 minutes, waiting 0.5 s doubling up to 30 s. */
export const DEFAULT_RESTART_POLICY: Readonly<RestartPolicy> = {
  maxRestarts: 5,
  windowMs: 10 * 60_000,
  backoffInitialMs: 500,
  backoffMaxMs: 30_000,
};

/** A sliding window of restart times. */
export class RestartBudget {
  private readonly times: number[] = [];

  constructor(
    private readonly policy: Pick<RestartPolicy, "maxRestarts" | "windowMs">,
    private readonly now: () => number = Date.now,
  ) {}

  /** Restarts counted in the current window. */
  get used(): number {
    this.forgetOld(this.now());
    return this.times.length;
  }

  /** Records a restart if the budget allows one; false means "give up". */
  tryConsume(): boolean {
    const now = this.now();
    this.forgetOld(now);
    if (this.times.length >= this.policy.maxRestarts) return false;
    this.times.push(now);
    return true;
  }

  reset(): void {
    this.times.length = 0;
  }

  private forgetOld(now: number): void {
    while (this.times.length > 0 && now - (this.times[0] as number) >= this.policy.windowMs) this.times.shift();
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
