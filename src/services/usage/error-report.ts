/**
 * GET /api/v1/errors/summary and /errors/recent (spec §3.19), answered from the usage table rather than an
 * in-memory tracker: they survive restarts and count every process's requests. A row stores the status and
 * error code but not the message, retries or any resolution, so those fields are constants here.
 */
import {
  CRITICAL_REPEATS,
  ERROR_CATEGORIES,
  ERROR_SEVERITIES,
  errorCategory,
  errorSeverity,
  type ErrorCategory,
  type ErrorSeverity,
} from "./error-classes.js";
import type { ErrorGroup, ErrorRow, UsageStats } from "./usage-stats.js";

/** The spec's window: the last 24 hours. */
export const ERROR_WINDOW_MS = 24 * 3_600_000;
const SUMMARY_RECENT = 5;

export interface ErrorRecord {
  timestamp: string;
  operation: string;
  error_type: string | null;
  error_message: null;
  category: ErrorCategory;
  severity: ErrorSeverity;
  context: { request_id: string; key_id: string | null; status: number };
  retry_count: 0;
  resolved: false;
  resolution_timestamp: null;
}

export interface ErrorSummary {
  total_errors: number;
  by_category: Record<ErrorCategory, number>;
  by_severity: Record<ErrorSeverity, number>;
  by_operation: Record<string, number>;
  most_frequent: Record<string, number>;
  unresolved_count: number;
  recent_errors: ErrorRecord[];
}

export class ErrorReport {
  constructor(private readonly stats: Pick<UsageStats, "errorGroups" | "recentErrors">) {}

  summary(nowMs: number): ErrorSummary {
    const groups = this.stats.errorGroups(nowMs - ERROR_WINDOW_MS);
    const repeats = serverRepeats(groups);
    const byCategory = zeroCounts(ERROR_CATEGORIES);
    const bySeverity = zeroCounts(ERROR_SEVERITIES);
    const byOperation: Record<string, number> = {};
    const byType: Record<string, number> = {};
    for (const group of groups) {
      byCategory[errorCategory(group.status, group.error_code)] += group.count;
      bySeverity[errorSeverity(group.status, repeats.get(kindOf(group)) ?? 0)] += group.count;
      byOperation[group.endpoint] = (byOperation[group.endpoint] ?? 0) + group.count;
      byType[kindOf(group)] = (byType[kindOf(group)] ?? 0) + group.count;
    }
    const total = groups.reduce((sum, group) => sum + group.count, 0);
    return {
      total_errors: total,
      by_category: byCategory,
      by_severity: bySeverity,
      by_operation: byOperation,
      most_frequent: Object.fromEntries(Object.entries(byType).filter(([, count]) => count >= CRITICAL_REPEATS)),
      // Nothing marks a failed request resolved: every failure in the window is unresolved.
      unresolved_count: total,
      recent_errors: this.records(groups, nowMs, SUMMARY_RECENT),
    };
  }

  /** The newest `count` failures of the window, newest first, and how many the window holds. */
  recent(nowMs: number, count: number): { recent_errors: ErrorRecord[]; total_stored: number } {
    const groups = this.stats.errorGroups(nowMs - ERROR_WINDOW_MS);
    return {
      recent_errors: this.records(groups, nowMs, count),
      total_stored: groups.reduce((sum, group) => sum + group.count, 0),
    };
  }

  private records(groups: ErrorGroup[], nowMs: number, count: number): ErrorRecord[] {
    const repeats = serverRepeats(groups);
    return this.stats
      .recentErrors(nowMs - ERROR_WINDOW_MS, count)
      .map((row) => toRecord(row, repeats.get(kindOf(row)) ?? 0));
  }
}

/** `operation:ERROR_CODE`, the spec's key of most_frequent (`UNKNOWN` for a failure without a code). */
function kindOf(row: { endpoint: string; error_code: string | null }): string {
  return `${row.endpoint}:${row.error_code ?? "UNKNOWN"}`;
}

/** How many 5xx each kind had in the window: what makes a 5xx critical. */
function serverRepeats(groups: ErrorGroup[]): Map<string, number> {
  const repeats = new Map<string, number>();
  for (const group of groups.filter((candidate) => candidate.status >= 500)) {
    repeats.set(kindOf(group), (repeats.get(kindOf(group)) ?? 0) + group.count);
  }
  return repeats;
}

function zeroCounts<T extends string>(names: readonly T[]): Record<T, number> {
  return Object.fromEntries(names.map((name) => [name, 0])) as Record<T, number>;
}

function toRecord(row: ErrorRow, repeats: number): ErrorRecord {
  return {
    timestamp: new Date(row.at_ms).toISOString(),
    operation: row.endpoint,
    error_type: row.error_code,
    // The usage row keeps the stable code, not the message (which may quote client input).
    error_message: null,
    category: errorCategory(row.status, row.error_code),
    severity: errorSeverity(row.status, repeats),
    context: { request_id: row.request_id, key_id: row.key_id, status: row.status },
    retry_count: 0,
    resolved: false,
    resolution_timestamp: null,
  };
}
