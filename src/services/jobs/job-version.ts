/** A job's published result, as one entry of its `versions`. */
import { fileKey, type PublishedFile } from "../../storage/output-store.js";
import type { JobRecord, JobResultVersion } from "./job-types.js";

/** What a finished run of any job type published. */
export interface PublishedResult {
  files: PublishedFile[];
  durationSeconds: number;
  warnings: string[];
}

/** The job's next version: files by format key (paths below outputs/), numbered after the ones it has. */
export function nextVersion(job: Pick<JobRecord, "versions">, result: PublishedResult): JobResultVersion {
  return {
    version: job.versions.length + 1,
    created_at: new Date().toISOString(),
    duration_seconds: result.durationSeconds,
    files: Object.fromEntries(result.files.map((file) => [fileKey(file), file.relativePath])),
    warnings: result.warnings,
  };
}
