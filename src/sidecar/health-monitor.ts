/**
 * Periodic health checks of a ready sidecar. Only `failureThreshold` consecutive failures count as dead,
 * and a check that merely timed out while inference calls are in flight is not counted: busy is not dead
 * (design.md §5 habit 7). A wedged call still ends, because every call has its own deadline.
 */

/** The outcome of one check. */
export interface HealthProbeResult {
  ok: boolean;
  /** The check hit its deadline (as opposed to a refused connection or NOT_SERVING). */
  timedOut: boolean;
}

/** Reported after every check. */
export interface HealthCheckReport {
  ok: boolean;
  /** Failures in a row so far, after this check. */
  consecutiveFailures: number;
  /** False for a timeout forgiven because calls were in flight. */
  counted: boolean;
}

/** What the monitor checks, how often, and whom it tells. */
export interface HealthMonitorOptions {
  probe(): Promise<HealthProbeResult>;
  intervalMs: number;
  failureThreshold: number;
  /** True while inference calls are in flight. */
  isBusy(): boolean;
  onReport(report: HealthCheckReport): void;
  /** Called once when the threshold is reached; the monitor stops itself first. */
  onUnhealthy(consecutiveFailures: number): void;
}

/** A self-rescheduling check loop; start() when the sidecar is ready, stop() when it is not. */
export class HealthMonitor {
  private timer: NodeJS.Timeout | undefined;
  private running = false;
  private failures = 0;

  constructor(private readonly options: HealthMonitorOptions) {}

  /** Starts checking every `intervalMs` (the first check after one interval). */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.failures = 0;
    this.schedule();
  }

  /** Stops; a check in flight is ignored when it returns. Safe to call many times. */
  stop(): void {
    this.running = false;
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  private schedule(): void {
    // Checks never overlap: the next one is scheduled only after this one returned.
    this.timer = setTimeout(() => void this.checkOnce(), this.options.intervalMs);
    this.timer.unref();
  }

  private async checkOnce(): Promise<void> {
    const result = await this.options.probe().catch((): HealthProbeResult => ({ ok: false, timedOut: false }));
    if (!this.running) return;
    const counted = !result.ok && !(result.timedOut && this.options.isBusy());
    if (result.ok) this.failures = 0;
    else if (counted) this.failures += 1;
    this.options.onReport({ ok: result.ok, consecutiveFailures: this.failures, counted });
    if (this.failures >= this.options.failureThreshold) {
      this.stop();
      this.options.onUnhealthy(this.failures);
      return;
    }
    if (this.running) this.schedule();
  }
}
