/**
 * Carries out a temp plan: deletes the chosen files (each only if it was not modified since the walk: a
 * changed file is somebody's work in progress) and then the emptied old folders with rmdir, which fails
 * harmlessly on a folder that got new entries meanwhile. A dry run only reports the plan.
 */
import { lstat, rmdir, unlink } from "node:fs/promises";
import { join } from "node:path";
import { actionReport, describeFailure, type TempAgeReport, type TempCountReport } from "./cleanup-report.js";
import type { FileFacts } from "./selection.js";
import { planTempCleanup, type TempLimits } from "./temp-plan.js";
import { walkTemp } from "./temp-walk.js";

const DAY_MS = 86_400_000;

export interface TempCleanupResult {
  age: TempAgeReport;
  count: TempCountReport;
}

export async function cleanTemp(root: string, limits: TempLimits, dryRun: boolean): Promise<TempCleanupResult> {
  const snapshot = await walkTemp(root);
  const plan = planTempCleanup(snapshot, limits);
  const aged = await removeFiles(root, plan.byAge, dryRun);
  const counted = await removeFiles(root, plan.byCount, dryRun);
  const folders = await removeFolders(root, plan.folders, dryRun);
  const unreadable = snapshot.unreadable.map(({ path, code }) => `${path || "."}: ${code}`);
  return {
    age: {
      ...actionReport(aged.removed, [...unreadable, ...aged.errors, ...folders.errors]),
      max_age_days: limits.maxAgeMs / DAY_MS,
      folders_removed: folders.removed,
      live_files_skipped: plan.liveFiles,
    },
    count: {
      ...actionReport(counted.removed, counted.errors),
      file_count: snapshot.files.length,
      max_files: limits.maxFiles,
    },
  };
}

async function removeFiles(root: string, files: FileFacts[], dryRun: boolean) {
  const removed: FileFacts[] = [];
  const errors: string[] = [];
  for (const file of files) {
    if (dryRun) {
      removed.push(file);
      continue;
    }
    try {
      if (!(await unchangedSinceWalk(root, file))) continue;
      await unlink(join(root, file.path));
      removed.push(file);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "ENOENT") errors.push(describeFailure(file.path, error));
    }
  }
  return { removed, errors };
}

async function unchangedSinceWalk(root: string, file: FileFacts): Promise<boolean> {
  const stats = await lstat(join(root, file.path)).catch(() => undefined);
  return stats !== undefined && !stats.isDirectory() && stats.mtimeMs === file.mtimeMs;
}

async function removeFolders(root: string, folders: string[], dryRun: boolean) {
  if (dryRun) return { removed: folders, errors: [] };
  const removed: string[] = [];
  const errors: string[] = [];
  for (const folder of folders) {
    try {
      await rmdir(join(root, folder));
      removed.push(folder);
    } catch (error) {
      // Refilled meanwhile, or already gone: both are fine.
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== "ENOTEMPTY" && code !== "EEXIST" && code !== "ENOENT") errors.push(describeFailure(folder, error));
    }
  }
  return { removed, errors };
}
