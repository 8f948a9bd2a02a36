/**
 * Which files a cleanup removes, decided from plain facts (path, size, modification time) so the rules can
 * be tested without a disk or a clock: older than an age limit, the oldest beyond a count limit, the oldest
 * until a size limit holds.
 */

export interface FileFacts {
  /** Relative to its root, '/'-separated. */
  path: string;
  sizeBytes: number;
  mtimeMs: number;
}

/** Oldest first; the path breaks ties, so a dry run and the real run that follows pick the same files. */
export function oldestFirst<T extends FileFacts>(files: readonly T[]): T[] {
  return [...files].sort((a, b) => a.mtimeMs - b.mtimeMs || compareText(a.path, b.path));
}

/** Files last modified before `cutoffMs`. */
export function olderThan<T extends FileFacts>(files: readonly T[], cutoffMs: number): T[] {
  return files.filter((file) => file.mtimeMs < cutoffMs);
}

/**
 * The oldest of `removable` to delete so that a folder holding `totalFiles` files (some of which may not
 * be removable) gets down to `maxFiles`; fewer when not enough are removable.
 */
export function oldestBeyondCount<T extends FileFacts>(
  removable: readonly T[],
  totalFiles: number,
  maxFiles: number,
): T[] {
  return oldestFirst(removable).slice(0, Math.max(0, totalFiles - maxFiles));
}

/** The oldest of `removable` to delete until `totalBytes` is at most `limitBytes`. */
export function oldestUntilWithin<T extends FileFacts>(
  removable: readonly T[],
  totalBytes: number,
  limitBytes: number,
): T[] {
  const chosen: T[] = [];
  let remaining = totalBytes;
  for (const file of oldestFirst(removable)) {
    if (remaining <= limitBytes) break;
    chosen.push(file);
    remaining -= file.sizeBytes;
  }
  return chosen;
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
