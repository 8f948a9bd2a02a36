/**
 * GET /api/v1/resources (spec §3.19): how much each data folder holds against its limit, with a warning
 * for each limit at or past `warning_threshold_percent`. Library sizes come from the index (audio files;
 * companions are not counted); the scratch root is walked, live scratch folders included.
 */
import type { CleanupContext } from "./cleanup.js";
import { libraryUsage, requireReadyIndex, type LibraryUsage } from "./library-reads.js";
import { walkTemp } from "./temp-walk.js";
import { limitWarnings, megabytes, usagePercent } from "./usage.js";

interface DirectoryUsage {
  size_bytes: number;
  size_mb: number;
  file_count: number;
}

interface LimitedDirectory extends DirectoryUsage {
  max_size_mb: number;
  usage_percent: number;
}

interface TempUsage extends DirectoryUsage {
  max_files: number;
  usage_percent: number;
}

export interface ResourcesReport {
  timestamp: string;
  directories: {
    outputs: LimitedDirectory;
    vc_inputs: LimitedDirectory;
    reference_audio: DirectoryUsage;
    temp: TempUsage;
  };
  /** `maintenance.enforce_size_limits`: whether cleanups delete old files to stay within the size limits. */
  size_limits_enforced: boolean;
  warnings: string[];
}

export async function measureResources({
  settings,
  tempRoot,
  libraries,
  now,
}: CleanupContext): Promise<ResourcesReport> {
  requireReadyIndex(Object.values(libraries));
  const outputs = libraryUsage(libraries.outputs);
  const vcInputs = libraryUsage(libraries.vc_inputs);
  const temp = await walkTemp(tempRoot);
  const tempBytes = temp.files.reduce((sum, file) => sum + file.sizeBytes, 0);
  return {
    timestamp: new Date(now()).toISOString(),
    directories: {
      outputs: limited(outputs, settings.outputsMaxBytes),
      vc_inputs: limited(vcInputs, settings.vcInputsMaxBytes),
      reference_audio: usage(libraryUsage(libraries.voices)),
      temp: {
        ...usage({ sizeBytes: tempBytes, fileCount: temp.files.length }),
        max_files: settings.tempMaxFiles,
        usage_percent: usagePercent(temp.files.length, settings.tempMaxFiles),
      },
    },
    size_limits_enforced: settings.enforceSizeLimits,
    warnings: limitWarnings(settings, {
      outputsBytes: outputs.sizeBytes,
      vcInputsBytes: vcInputs.sizeBytes,
      tempFiles: temp.files.length,
    }),
  };
}

function usage({ sizeBytes, fileCount }: LibraryUsage): DirectoryUsage {
  return { size_bytes: sizeBytes, size_mb: megabytes(sizeBytes), file_count: fileCount };
}

function limited(measured: LibraryUsage, limitBytes: number): LimitedDirectory {
  return {
    ...usage(measured),
    max_size_mb: megabytes(limitBytes),
    usage_percent: usagePercent(measured.sizeBytes, limitBytes),
  };
}
