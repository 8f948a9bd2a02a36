/**
 * The dashboard's numbers: usage totals per time bucket from GET /api/v1/usage (`bucket`, `group_by`, docs/api/
 * usage.md), turned into one aligned series per group with the empty buckets filled with zeros.
 */
import { getJson } from "../api/client";
import type { UsageBucket, UsageBucketTotals, UsageTotals } from "../../services/usage/usage-totals";

export type WindowId = "hour" | "day" | "month";
export type SplitBy = "endpoint" | "key" | "engine";

interface WindowSpec {
  label: string;
  bucket: UsageBucket;
  stepMs: number;
  count: number;
}

export const WINDOWS: Readonly<Record<WindowId, WindowSpec>> = {
  hour: { label: "Last hour, by minute", bucket: "minute", stepMs: 60_000, count: 60 },
  day: { label: "Last day, by hour", bucket: "hour", stepMs: 3_600_000, count: 24 },
  month: { label: "Last 30 days, by day", bucket: "day", stepMs: 86_400_000, count: 30 },
};

type BucketTotals = UsageBucketTotals & { group: string };

export interface UsageWindow {
  currency: string;
  totals: UsageTotals;
  /** Bucket starts, epoch ms, oldest first: every bucket of the window, also the empty ones. */
  starts: number[];
  buckets: BucketTotals[];
}

export async function loadUsageWindow(windowId: WindowId, split: SplitBy, now = Date.now()): Promise<UsageWindow> {
  const spec = WINDOWS[windowId];
  // Buckets are aligned to UTC (epoch multiples of the step), as the server cuts them.
  const last = Math.floor(now / spec.stepMs) * spec.stepMs;
  const starts = Array.from({ length: spec.count }, (_, i) => last - (spec.count - 1 - i) * spec.stepMs);
  const query = new URLSearchParams({
    bucket: spec.bucket,
    group_by: split,
    from: new Date(starts[0]!).toISOString(),
    limit: "1",
  });
  const answer = await getJson<{ currency: string; totals: UsageTotals; buckets: BucketTotals[] }>(
    `/api/v1/usage?${query}`,
  );
  return { currency: answer.currency, totals: answer.totals, starts, buckets: answer.buckets };
}

/** What a chart shows: a name, and how to read its value from a bucket's totals. */
export interface Metric {
  id: string;
  title: string;
  unit: string;
  valueOf: (totals: UsageTotals) => number;
}

export const METRICS: readonly Metric[] = [
  { id: "requests", title: "Requests", unit: "requests", valueOf: (t) => t.requests },
  { id: "chars", title: "Characters", unit: "characters", valueOf: (t) => t.input_chars },
  {
    id: "audio",
    title: "Audio minutes",
    unit: "minutes",
    valueOf: (t) => (t.output_audio_ms + t.input_audio_ms) / 60_000,
  },
  { id: "cost", title: "Cost", unit: "", valueOf: (t) => t.cost },
  { id: "errors", title: "Errors", unit: "errors", valueOf: (t) => t.errors },
];

/** At most this many groups get a line of their own; the rest are summed as "Other". */
const MAX_GROUPS = 6;

export interface Series {
  name: string;
  values: number[];
}

/** One series per group (the busiest first), aligned to `starts`, for one metric. */
export function seriesOf(usage: UsageWindow, metric: Metric, split: SplitBy): Series[] {
  const index = new Map(usage.starts.map((start, i) => [start, i]));
  const byGroup = new Map<string, number[]>();
  for (const bucket of usage.buckets) {
    const at = index.get(Date.parse(bucket.start));
    if (at === undefined) continue;
    const values = byGroup.get(bucket.group) ?? new Array<number>(usage.starts.length).fill(0);
    values[at]! += metric.valueOf(bucket);
    byGroup.set(bucket.group, values);
  }
  const sum = (values: number[]) => values.reduce((total, value) => total + value, 0);
  // A group with nothing of this metric (no characters in GET requests) would only crowd the legend.
  const ranked = [...byGroup.entries()]
    .filter(([, values]) => sum(values) !== 0)
    .sort(([, a], [, b]) => sum(b) - sum(a));
  const shown = ranked.slice(0, MAX_GROUPS).map(([group, values]) => ({ name: groupName(group, split), values }));
  const rest = ranked.slice(MAX_GROUPS);
  if (rest.length === 0) return shown;
  const other = usage.starts.map((_, i) => rest.reduce((total, [, values]) => total + values[i]!, 0));
  return [...shown, { name: `Other (${rest.length})`, values: other }];
}

function groupName(group: string, split: SplitBy): string {
  if (group !== "") return group;
  return split === "key" ? "(no key)" : "(none)";
}

/** A bucket's start as the window shows it: time of day for minutes and hours, the date for days. */
export function bucketLabel(start: number, windowId: WindowId): string {
  const date = new Date(start);
  if (windowId === "month") return date.toLocaleDateString(undefined, { month: "short", day: "numeric" });
  return date.toLocaleTimeString(undefined, { hour: "2-digit", minute: "2-digit" });
}

export function formatValue(value: number, metric: Metric, currency: string): string {
  if (metric.id === "cost") return `${value.toFixed(4)} ${currency}`;
  if (metric.id === "audio") return value.toFixed(2);
  return String(value);
}
