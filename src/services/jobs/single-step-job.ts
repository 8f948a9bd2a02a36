/**
 * VC and concat jobs: the synchronous service run once, in the background, at batch priority. They are
 * one step each (segments 0 of 1, then 1 of 1); a job interrupted by a restart runs its step again.
 */
import type { ConcatService } from "../concat/concat-service.js";
import type { ConcatRequest } from "../concat/concat-request.js";
import type { VcService } from "../vc/vc-service.js";
import type { VcRequest } from "../vc/vc-request.js";
import type { JobContext, JobExecutor } from "./job-runner.js";
import type { JobStore } from "./job-store.js";
import type { JobRecord, JobResultVersion } from "./job-types.js";
import { nextVersion, type PublishedResult } from "./job-version.js";

/** Runs `step` as the whole job, reporting it as one segment. */
class SingleStepExecutor implements JobExecutor {
  constructor(
    private readonly store: JobStore,
    private readonly step: (job: JobRecord, context: JobContext) => Promise<PublishedResult>,
  ) {}

  async run(job: JobRecord, context: JobContext): Promise<JobResultVersion> {
    if (job.segmentsTotal === 0)
      this.store.savePlan(job.id, null, [{ text: "", displayText: "", chapter: null, seed: 0 }]);
    const started = performance.now();
    const result = await this.step(job, context);
    const finished = [{ index: 0, durationSeconds: result.durationSeconds, outcome: null }];
    this.store.finishSegments(job.id, finished, performance.now() - started);
    return nextVersion(job, result);
  }
}

export function vcJobExecutor(
  store: JobStore,
  vc: VcService,
  parse: (body: Record<string, unknown>) => VcRequest,
): JobExecutor {
  return new SingleStepExecutor(store, (job, { signal, log }) =>
    vc.convert(parse(job.request), { signal, log, requestId: job.id, priority: "batch" }),
  );
}

export function concatJobExecutor(
  store: JobStore,
  concat: ConcatService,
  parse: (body: Record<string, unknown>) => ConcatRequest,
): JobExecutor {
  return new SingleStepExecutor(store, (job, { signal, log }) => concat.run(parse(job.request), { signal, log }));
}
