/**
 * How full a folder is against its limit, in the numbers and words the API shows: megabytes with two
 * decimals, percentages with one, and a warning once usage reaches `warning_threshold_percent`.
 */
import type { AppConfig } from "../../config/app-config.js";

const MIB = 1024 * 1024;
const UNITS: ReadonlyArray<readonly [string, number]> = [
  ["GB", 1024 * MIB],
  ["MB", MIB],
  ["KB", 1024],
];

export function megabytes(bytes: number): number {
  return Math.round((bytes / MIB) * 100) / 100;
}

export function usagePercent(used: number, limit: number): number {
  return Math.round((used / limit) * 1000) / 10;
}

/** A limit in the largest unit it reaches (binary units, as the config's GB are): `5 GB`, `1.5 MB`. */
export function formatBytes(bytes: number): string {
  const [unit, size] = UNITS.find(([, unitBytes]) => bytes >= unitBytes) ?? ["bytes", 1];
  return `${Number((bytes / size).toFixed(2))} ${unit}`;
}

/** What the limits apply to: audio bytes in outputs/ and vc_inputs/, files in the scratch root. */
export interface MeasuredUsage {
  outputsBytes: number;
  vcInputsBytes: number;
  tempFiles: number;
}

/** A warning for every limit at or past the threshold. */
export function limitWarnings(settings: AppConfig["maintenance"], measured: MeasuredUsage): string[] {
  const thresholdPercent = settings.warningThresholdPercent;
  const enforced = settings.enforceSizeLimits;
  const warnings = [
    sizeWarning({
      directory: "outputs",
      usedBytes: measured.outputsBytes,
      limitBytes: settings.outputsMaxBytes,
      thresholdPercent,
      enforced,
    }),
    sizeWarning({
      directory: "vc_inputs",
      usedBytes: measured.vcInputsBytes,
      limitBytes: settings.vcInputsMaxBytes,
      thresholdPercent,
      enforced,
    }),
    countWarning(measured.tempFiles, settings.tempMaxFiles, thresholdPercent),
  ];
  return warnings.filter((warning): warning is string => warning !== undefined);
}

interface SizeWarningInput {
  /** e.g. `outputs`. */
  directory: string;
  usedBytes: number;
  limitBytes: number;
  thresholdPercent: number;
  /** Whether cleanups delete files to stay within the limit. */
  enforced: boolean;
}

function sizeWarning(input: SizeWarningInput): string | undefined {
  const { directory, usedBytes, limitBytes, thresholdPercent, enforced } = input;
  if ((usedBytes / limitBytes) * 100 < thresholdPercent) return undefined;
  const percent = usagePercent(usedBytes, limitBytes).toFixed(1);
  const warning = `${directory}/ uses ${percent}% of its ${formatBytes(limitBytes)} limit`;
  if (usedBytes <= limitBytes) return warning;
  return enforced
    ? `${warning}; cleanups delete its oldest files until it is within the limit`
    : `${warning}; nothing is deleted automatically while maintenance.enforce_size_limits is false`;
}

function countWarning(fileCount: number, maxFiles: number, thresholdPercent: number): string | undefined {
  if ((fileCount / maxFiles) * 100 < thresholdPercent) return undefined;
  return `temp/ holds ${fileCount} files, ${usagePercent(fileCount, maxFiles).toFixed(1)}% of its limit of ${maxFiles}`;
}
