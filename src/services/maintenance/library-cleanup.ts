/**
 * The library steps of a cleanup (spec §4.15 steps 1, 4 and 5): 0-byte audio files go, and with
 * `enforce_size_limits` the oldest files go until a library is within its size limit. Every deletion goes
 * through LibraryStore.remove, so the audio file and its `<file>.<ext>.json` companion go together (never a
 * companion alone) and the index stays right.
 */
import { lstat } from "node:fs/promises";
import { join } from "node:path";
import { companionPath } from "../../storage/library/companion.js";
import type { IndexedFile } from "../../storage/library/library-entry.js";
import type { LibraryStore } from "../../storage/library/library-store.js";
import { describeFailure, type Removed } from "./cleanup-report.js";
import { indexedFacts, zeroByteFiles } from "./library-reads.js";
import { oldestUntilWithin } from "./selection.js";

/**
 * A file modified this recently may still be being written by another program (a copy starts at 0 bytes),
 * so it waits for the next run.
 */
export const ZERO_BYTE_GRACE_MS = 60_000;

export interface LibraryOutcome {
  removed: Removed[];
  errors: string[];
}

export interface SizeLimit {
  limitBytes: number;
  enforce: boolean;
}

export async function removeZeroByteFiles(
  store: LibraryStore,
  { dryRun, nowMs }: { dryRun: boolean; nowMs: number },
): Promise<LibraryOutcome & { scanned: number }> {
  const { files, total } = zeroByteFiles(store);
  const outcome: LibraryOutcome = { removed: [], errors: [] };
  for (const entry of files) {
    // The index may lag behind the disk: only a file that is empty and settled right now goes.
    const stats = await lstat(store.absolutePath(entry)).catch(() => undefined);
    const settledEmpty = stats?.isFile() && stats.size === 0 && stats.mtimeMs < nowMs - ZERO_BYTE_GRACE_MS;
    if (settledEmpty) await removeInto(outcome, store, entry, dryRun);
  }
  return { ...outcome, scanned: total };
}

/** Measures the library and, when enforced, removes its oldest files until it is within `limit`. */
export async function trimToSizeLimit(
  store: LibraryStore,
  { limit, dryRun }: { limit: SizeLimit; dryRun: boolean },
): Promise<LibraryOutcome & { sizeBytes: number }> {
  const facts = indexedFacts(store);
  const sizeBytes = facts.reduce((sum, file) => sum + file.sizeBytes, 0);
  const outcome: LibraryOutcome = { removed: [], errors: [] };
  if (!limit.enforce) return { ...outcome, sizeBytes };
  // Empty files free nothing (and step 1 already took them).
  const chosen = oldestUntilWithin(
    facts.filter((file) => file.sizeBytes > 0),
    sizeBytes,
    limit.limitBytes,
  );
  for (const file of chosen) {
    const entry = store.get(file.path);
    if (entry) await removeInto(outcome, store, entry, dryRun);
  }
  return { ...outcome, sizeBytes };
}

/** Removes `entry` with its companion (a dry run only looks at them) and records what went. */
async function removeInto(outcome: LibraryOutcome, store: LibraryStore, entry: IndexedFile, dryRun: boolean) {
  try {
    const files = await filesOf(store, entry);
    if (dryRun) {
      outcome.removed.push(...files);
      return;
    }
    await store.remove(entry);
    // What is gone from disk now, whatever the store reports (it deletes the companion only if present).
    for (const file of files) {
      if (!(await presentOnDisk(store, file.path))) outcome.removed.push(file);
    }
  } catch (error) {
    outcome.errors.push(describeFailure(entry.path, error));
  }
}

/** The audio file and, when there is one, its companion, as they are on disk now. */
async function filesOf(store: LibraryStore, entry: IndexedFile): Promise<Removed[]> {
  const audio: Removed = { path: entry.path, sizeBytes: entry.sizeBytes };
  const companion = await lstat(companionPath(store.absolutePath(entry))).catch(() => undefined);
  return companion?.isFile() ? [audio, { path: companionPath(entry.path), sizeBytes: companion.size }] : [audio];
}

function presentOnDisk(store: LibraryStore, path: string): Promise<boolean> {
  return lstat(join(store.root, path)).then(
    () => true,
    () => false,
  );
}
