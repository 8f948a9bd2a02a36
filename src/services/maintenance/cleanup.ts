/**
 * One cleanup run (spec §4.15), in the spec's order: 0-byte audio files in the three libraries, scratch
 * files by age and then by count, then the size limits of outputs/ and vc_inputs/. A dry run decides
 * exactly the same and deletes nothing. Runs are serialized by the caller (maintenance-service.ts).
 */
import type { AppConfig } from "../../config/app-config.js";
import { LIBRARY_KINDS } from "../../storage/library/library.js";
import type { LibraryKind } from "../../storage/library/library-entry.js";
import type { LibraryStore } from "../../storage/library/library-store.js";
import {
  actionReport,
  DIRECTORY_NAMES,
  type CleanupReport,
  type CleanupTrigger,
  type CorruptedReport,
  type DirectoryName,
  type LibraryDetail,
  type Removed,
  type SizeReport,
} from "./cleanup-report.js";
import { removeZeroByteFiles, trimToSizeLimit } from "./library-cleanup.js";
import { requireReadyIndex } from "./library-reads.js";
import { cleanTemp } from "./temp-cleanup.js";
import { limitWarnings, usagePercent } from "./usage.js";

export type MaintenanceSettings = AppConfig["maintenance"];

export interface CleanupContext {
  settings: MaintenanceSettings;
  /** The scratch root, `paths.temp`. */
  tempRoot: string;
  libraries: Record<LibraryKind, LibraryStore>;
  now: () => number;
}

export interface CleanupRequest {
  dryRun: boolean;
  trigger: CleanupTrigger;
}

export async function runCleanup(context: CleanupContext, { dryRun, trigger }: CleanupRequest): Promise<CleanupReport> {
  const { settings, libraries } = context;
  requireReadyIndex(Object.values(libraries));
  const startMs = context.now();
  const corrupted = await cleanCorrupted(context, dryRun);
  const limits = { nowMs: startMs, maxAgeMs: settings.tempMaxAgeMs, maxFiles: settings.tempMaxFiles };
  const temp = await cleanTemp(context.tempRoot, limits, dryRun);
  const actions = {
    corrupted_files_cleanup: corrupted,
    temp_age_cleanup: temp.age,
    temp_count_cleanup: temp.count,
    output_size_cleanup: await sizeStep(context, "outputs", dryRun),
    vc_inputs_size_cleanup: await sizeStep(context, "vc_inputs", dryRun),
  };
  const endMs = context.now();
  const all = Object.values(actions);
  return {
    timestamp: new Date(endMs).toISOString(),
    trigger,
    actions,
    total_files_removed: all.reduce((sum, action) => sum + action.files_removed, 0),
    total_bytes_freed: all.reduce((sum, action) => sum + action.bytes_freed, 0),
    start_time: new Date(startMs).toISOString(),
    end_time: new Date(endMs).toISOString(),
    duration_seconds: (endMs - startMs) / 1000,
    dry_run: dryRun,
    forced: trigger === "manual",
    // The limits as the run found them, before it removed anything.
    warnings: limitWarnings(settings, {
      outputsBytes: actions.output_size_cleanup.size_bytes,
      vcInputsBytes: actions.vc_inputs_size_cleanup.size_bytes,
      tempFiles: temp.count.file_count,
    }),
  };
}

async function cleanCorrupted(context: CleanupContext, dryRun: boolean): Promise<CorruptedReport> {
  const details = {} as Record<DirectoryName, LibraryDetail>;
  const removed: Removed[] = [];
  for (const kind of LIBRARY_KINDS) {
    const outcome = await removeZeroByteFiles(context.libraries[kind], { dryRun, nowMs: context.now() });
    const deleted = outcome.removed.map((file) => file.path);
    details[DIRECTORY_NAMES[kind]] = { deleted_files: deleted, errors: outcome.errors, total_scanned: outcome.scanned };
    removed.push(...outcome.removed);
  }
  const { files_removed, bytes_freed } = actionReport(removed, []);
  const directories_cleaned = Object.values(details).filter((detail) => detail.deleted_files.length > 0).length;
  return { files_removed, bytes_freed, directories_cleaned, details };
}

async function sizeStep(context: CleanupContext, kind: "outputs" | "vc_inputs", dryRun: boolean): Promise<SizeReport> {
  const { settings } = context;
  const limitBytes = kind === "outputs" ? settings.outputsMaxBytes : settings.vcInputsMaxBytes;
  const enforce = settings.enforceSizeLimits;
  const outcome = await trimToSizeLimit(context.libraries[kind], { limit: { limitBytes, enforce }, dryRun });
  return {
    ...actionReport(outcome.removed, outcome.errors),
    size_bytes: outcome.sizeBytes,
    max_size_bytes: limitBytes,
    usage_percent: usagePercent(outcome.sizeBytes, limitBytes),
    enforced: enforce,
  };
}
