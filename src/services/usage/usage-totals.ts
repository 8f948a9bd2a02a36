/**
 * The totals GET /api/v1/usage answers with, overall and per time bucket. No imports: the studio's dashboard
 * reads the same shapes from this file.
 */

/** The width of a time bucket; buckets are aligned to UTC (a day starts at 00:00 UTC). */
export type UsageBucket = "minute" | "hour" | "day";

export interface UsageTotals {
  requests: number;
  errors: number;
  input_chars: number;
  input_audio_ms: number;
  output_audio_ms: number;
  bytes_out: number;
  cost: number;
}

/** One bucket's totals, of one group when the answer is split (`group_by`). */
export type UsageBucketTotals = { start: string; group?: string } & UsageTotals;
