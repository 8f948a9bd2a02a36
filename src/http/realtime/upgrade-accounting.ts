/**
 * What the realtime endpoint records of each upgrade request when it ends (at once for a refused upgrade, with
 * the status it got; when the socket closes for a session, status 101 with what it spoke): its usage row and
 * its HTTP metrics, as every other request gets from the middleware, plus the count of open sessions.
 */
import type { RealtimeMetrics } from "../../services/metrics/app-metrics.js";
import type { UsageLog } from "../../services/usage/usage-log.js";
import { NOTHING_MEASURED, type UsageRecord } from "../../services/usage/usage-record.js";
import type { SessionSummary } from "./realtime-session.js";

/** The metrics label of upgrades of paths no route serves, as the HTTP middleware labels them. */
const UNMATCHED = "unmatched";

export class UpgradeAccounting {
  private readonly at = new Date();
  private readonly started = performance.now();

  constructor(
    private readonly usage: Pick<UsageLog, "record">,
    private readonly metrics: RealtimeMetrics,
    /** The path asked for, and the id the request goes by (its X-Request-ID). */
    private readonly request: { path: string; requestId: string },
  ) {}

  /** The upgrade was answered with an error instead. */
  refused(status: number, errorCode: string, keyId: string | null): void {
    this.write({ ...NOTHING_MEASURED, keyId, endpoint: this.endpoint(status), status, errorCode });
  }

  /** The upgrade became a session. */
  opened(): void {
    this.metrics.sessionsOpen.inc();
  }

  /** The session's socket closed. */
  closed(summary: SessionSummary, keyId: string | null): void {
    this.metrics.sessionsOpen.dec();
    const { inputChars, outputAudioMs, bytesOut, voice, format } = summary;
    const spoke = { inputChars, outputAudioMs: Math.round(outputAudioMs), bytesOut, voice, format };
    this.write({ ...NOTHING_MEASURED, ...spoke, keyId, endpoint: `WS ${this.request.path}`, status: 101 });
  }

  private endpoint(status: number): string {
    return status === 404 ? "GET (no route)" : `WS ${this.request.path}`;
  }

  private write(record: Omit<UsageRecord, "at" | "durationMs" | "requestId">): void {
    const ms = performance.now() - this.started;
    this.usage.record({
      ...record,
      requestId: this.request.requestId,
      at: this.at,
      durationMs: Math.round(ms * 10) / 10,
    });
    const route = record.status === 404 ? UNMATCHED : this.request.path;
    const observed = { route, method: "GET", status: record.status, seconds: ms / 1000, bytes: record.bytesOut };
    this.metrics.http.request(observed);
  }
}
