/**
 * How GET /api/v1/errors/* judge a failed request from what its usage row stores (status and error code):
 * its category (can a retry help, and whose move is it) and its severity (docs/api/maintenance.md#errors).
 */

export type ErrorCategory = "transient" | "permanent" | "resource" | "configuration";
export type ErrorSeverity = "low" | "medium" | "high" | "critical";

export const ERROR_CATEGORIES: readonly ErrorCategory[] = ["transient", "permanent", "resource", "configuration"];
export const ERROR_SEVERITIES: readonly ErrorSeverity[] = ["low", "medium", "high", "critical"];

/** Busy, loading or too slow right now: the same request may well succeed later. */
const TRANSIENT_STATUSES = new Set([429, 502, 503, 504]);
/** Too big for the limits, or the disk is full. */
const RESOURCE_STATUSES = new Set([413, 507]);

/**
 * How many times one operation must fail with the same code and a 5xx within the window before each of those
 * failures counts as critical: one 500 may be a bad input the engine choked on, three are a broken feature.
 */
export const CRITICAL_REPEATS = 3;

export function errorCategory(status: number, errorCode: string | null): ErrorCategory {
  if (errorCode === "SERVER_MISCONFIGURED") return "configuration";
  if (TRANSIENT_STATUSES.has(status)) return "transient";
  if (RESOURCE_STATUSES.has(status)) return "resource";
  return "permanent";
}

/**
 * 4xx (the client's mistake) are low; busy and unavailable (429, 502, 503, 504) medium; other 5xx high, or
 * critical once `repeats` (same operation, same code, a 5xx, within the window) reaches CRITICAL_REPEATS.
 */
export function errorSeverity(status: number, repeats: number): ErrorSeverity {
  if (TRANSIENT_STATUSES.has(status)) return "medium";
  if (status < 500) return "low";
  return repeats >= CRITICAL_REPEATS ? "critical" : "high";
}
