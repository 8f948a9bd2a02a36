/**
 * The cleanup report (spec §3.19, with what it lacked: the files themselves, errors, dry runs). Files are
 * named relative to their library or to the scratch root, never by absolute server paths. In a dry run
 * every count and list says what a real run would remove.
 */
import type { LibraryKind } from "../../storage/library/library-entry.js";

/** A file removed (or that a dry run would remove). */
export interface Removed {
  path: string;
  sizeBytes: number;
}

export interface ActionReport {
  files_removed: number;
  bytes_freed: number;
  deleted_files: string[];
  /** Files that could not be deleted: `<path>: <error code>`. */
  errors: string[];
}

export interface LibraryDetail {
  deleted_files: string[];
  errors: string[];
  /** Audio files the index holds, all of which were checked. */
  total_scanned: number;
}

/** The libraries under the names of their folders, as clients know them. */
export const DIRECTORY_NAMES = { outputs: "outputs", voices: "reference_audio", vc_inputs: "vc_inputs" } as const;
export type DirectoryName = (typeof DIRECTORY_NAMES)[LibraryKind];

export interface CorruptedReport {
  files_removed: number;
  bytes_freed: number;
  /** Libraries in which something was removed. */
  directories_cleaned: number;
  details: Record<DirectoryName, LibraryDetail>;
}

export interface TempAgeReport extends ActionReport {
  max_age_days: number;
  /** Emptied scratch folders older than the age limit. */
  folders_removed: string[];
  /** Files inside scratch folders that may be in use right now; never touched. */
  live_files_skipped: number;
}

export interface TempCountReport extends ActionReport {
  file_count: number;
  max_files: number;
}

export interface SizeReport extends ActionReport {
  /** Audio files as indexed, before this run removed anything (companions are not counted). */
  size_bytes: number;
  max_size_bytes: number;
  usage_percent: number;
  /** `maintenance.enforce_size_limits`: when false nothing is removed for size, a warning says so. */
  enforced: boolean;
}

export type CleanupTrigger = "startup" | "scheduled" | "manual";

export interface CleanupReport {
  timestamp: string;
  trigger: CleanupTrigger;
  actions: {
    corrupted_files_cleanup: CorruptedReport;
    temp_age_cleanup: TempAgeReport;
    temp_count_cleanup: TempCountReport;
    output_size_cleanup: SizeReport;
    vc_inputs_size_cleanup: SizeReport;
  };
  total_files_removed: number;
  total_bytes_freed: number;
  start_time: string;
  end_time: string;
  duration_seconds: number;
  dry_run: boolean;
  /** True for runs a client asked for, false for the startup and scheduled runs. */
  forced: boolean;
  warnings: string[];
}

/** What the scheduler keeps of each run. */
export interface CleanupSummary {
  timestamp: string;
  trigger: CleanupTrigger;
  dry_run: boolean;
  total_files_removed: number;
  total_bytes_freed: number;
  duration_seconds: number;
  errors: number;
  warnings: string[];
}

export function actionReport(removed: readonly Removed[], errors: readonly string[]): ActionReport {
  return {
    files_removed: removed.length,
    bytes_freed: removed.reduce((sum, file) => sum + file.sizeBytes, 0),
    deleted_files: removed.map((file) => file.path),
    errors: [...errors],
  };
}

/** `<path>: <code>`: the error's code only, since fs messages name absolute paths. */
export function describeFailure(path: string, error: unknown): string {
  return `${path}: ${(error as NodeJS.ErrnoException).code ?? "could not be deleted"}`;
}

export function summarize(report: CleanupReport): CleanupSummary {
  const actions = Object.values(report.actions);
  const libraryErrors = Object.values(report.actions.corrupted_files_cleanup.details).map((d) => d.errors.length);
  const errors = actions.reduce((sum, action) => sum + ("errors" in action ? action.errors.length : 0), 0);
  return {
    timestamp: report.timestamp,
    trigger: report.trigger,
    dry_run: report.dry_run,
    total_files_removed: report.total_files_removed,
    total_bytes_freed: report.total_bytes_freed,
    duration_seconds: report.duration_seconds,
    errors: errors + libraryErrors.reduce((sum, n) => sum + n, 0),
    warnings: report.warnings,
  };
}
