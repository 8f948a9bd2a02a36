/**
 * The usage rows of the realtime endpoint: one per upgrade request, written when it ends: at once for a refused
 * upgrade (with the status it got), when the socket closes for a session (status 101, with what it spoke).
 */
import type { UsageLog } from "../../services/usage/usage-log.js";
import type { UsageRecord } from "../../services/usage/usage-record.js";
import type { SessionSummary } from "./realtime-session.js";

const NONE = {
  errorCode: null,
  engine: null,
  voice: null,
  format: null,
  streamMode: null,
  inputChars: 0,
  inputAudioMs: 0,
  outputAudioMs: 0,
  bytesOut: 0,
  ttfbMs: null,
} as const;

export class UpgradeUsage {
  private readonly at = new Date();
  private readonly started = performance.now();

  constructor(
    private readonly usage: Pick<UsageLog, "record">,
    private readonly path: string,
  ) {}

  /** The upgrade was answered with an error instead. */
  refused(status: number, errorCode: string, keyId: string | null): void {
    this.write({ ...NONE, requestId: "", keyId, endpoint: this.endpoint(status), status, errorCode });
  }

  /** The session's socket closed. */
  closed(summary: SessionSummary, keyId: string | null): void {
    const { id, inputChars, outputAudioMs, bytesOut, voice, format } = summary;
    const spoke = { inputChars, outputAudioMs: Math.round(outputAudioMs), bytesOut, voice, format };
    this.write({ ...NONE, ...spoke, requestId: id, keyId, endpoint: `WS ${this.path}`, status: 101 });
  }

  private endpoint(status: number): string {
    return status === 404 ? "GET (no route)" : `WS ${this.path}`;
  }

  private write(record: Omit<UsageRecord, "at" | "durationMs">): void {
    this.usage.record({ ...record, at: this.at, durationMs: Math.round((performance.now() - this.started) * 10) / 10 });
  }
}
