/** Bounds how many async tasks run at once; the rest wait in arrival order. */
export class TaskLimiter {
  private active = 0;
  private readonly waiting: Array<() => void> = [];

  /** @throws RangeError unless `max` is a positive integer. */
  constructor(readonly max: number) {
    if (!Number.isInteger(max) || max < 1) throw new RangeError(`max must be a positive integer, got ${max}`);
  }

  /** Runs `task` once a slot is free; resolves or rejects with its outcome. */
  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.active < this.max) this.active += 1;
    else await new Promise<void>((resolve) => this.waiting.push(resolve));
    try {
      return await task();
    } finally {
      // A finished task hands its slot straight to the next waiting one, so `active` never overshoots.
      const next = this.waiting.shift();
      if (next !== undefined) next();
      else this.active -= 1;
    }
  }
}
