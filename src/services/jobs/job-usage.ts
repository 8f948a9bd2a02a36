/**
 * A job's end as a usage row, beside the row of the request that submitted it: the submission counts the
 * characters (so daily quotas apply when a job is submitted), the end counts the audio produced, which is
 * only known then. A re-render that ends again adds a row for the audio it published.
 */
import { NOTHING_MEASURED, type UsageRecord } from "../usage/usage-record.js";
import type { JobRecord } from "./job-types.js";

/** Status of each way a job ends, as its usage row records it (a cancel is the client leaving: 499). */
const STATUS = { succeeded: 200, failed: 500, cancelled: 499 } as const;

export function jobEndUsage(job: JobRecord): UsageRecord | undefined {
  if (job.state !== "succeeded" && job.state !== "failed" && job.state !== "cancelled") return undefined;
  const latest = job.state === "succeeded" ? job.versions.at(-1) : undefined;
  const engine = (job.synthesis as { engine?: string } | null)?.engine ?? null;
  return {
    ...NOTHING_MEASURED,
    at: new Date(job.finishedMs ?? Date.now()),
    requestId: job.id,
    keyId: job.keyId,
    endpoint: `JOB ${job.type}`,
    status: STATUS[job.state],
    errorCode: job.error?.code ?? null,
    engine,
    streamMode: "job",
    outputAudioMs: Math.round((latest?.duration_seconds ?? 0) * 1000),
    durationMs: Math.round(job.renderMs),
  };
}
