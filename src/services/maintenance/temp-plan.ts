/**
 * What a cleanup of the scratch root removes (spec §4.15 steps 2 and 3), decided from a snapshot without
 * touching the disk. Requests make their scratch folders with mkdtemp (`tts-…`, `upload-…`) and remove them
 * when they end; a folder modified within the age limit may belong to a request running right now, so it
 * and everything below it is never touched. Live files still count toward `maxFiles`.
 */
import { olderThan, oldestBeyondCount, type FileFacts } from "./selection.js";
import type { TempSnapshot } from "./temp-walk.js";

export interface TempLimits {
  nowMs: number;
  maxAgeMs: number;
  maxFiles: number;
}

export interface TempPlan {
  /** Files older than the age limit. */
  byAge: FileFacts[];
  /** The oldest of the rest, while more than `maxFiles` files would remain. */
  byCount: FileFacts[];
  /** Old folders that will be empty, deepest first (removed with rmdir, so a folder refilled meanwhile stays). */
  folders: string[];
  /** Files inside folders that may be in use, which no limit touches. */
  liveFiles: number;
}

export function planTempCleanup(snapshot: TempSnapshot, limits: TempLimits): TempPlan {
  const cutoff = limits.nowMs - limits.maxAgeMs;
  const live = new Set(snapshot.folders.filter((folder) => folder.mtimeMs >= cutoff).map((folder) => folder.path));
  // Folders we could not list hold unknown contents: treated like live ones.
  for (const folder of snapshot.unreadable) live.add(folder.path);
  const insideLive = (path: string) => [...ancestorsOf(path), path].some((folder) => live.has(folder));
  const removable = snapshot.files.filter((file) => !insideLive(file.path));
  const byAge = olderThan(removable, cutoff);
  const aged = new Set(byAge.map((file) => file.path));
  const rest = removable.filter((file) => !aged.has(file.path));
  const byCount = oldestBeyondCount(rest, snapshot.files.length - byAge.length, limits.maxFiles);
  const removed = new Set([...aged, ...byCount.map((file) => file.path)]);
  const kept = snapshot.files.filter((file) => !removed.has(file.path)).map((file) => file.path);
  const folders = snapshot.folders.map((folder) => folder.path).filter((path) => !insideLive(path));
  return {
    byAge,
    byCount,
    folders: emptiedFolders(folders, [...kept, ...live]),
    liveFiles: snapshot.files.length - removable.length,
  };
}

/** The folders enclosing `path`, outermost first: `a/b/c` → `a`, `a/b`. */
function ancestorsOf(path: string): string[] {
  const parts = path.split("/");
  return parts.slice(0, -1).map((_, index) => parts.slice(0, index + 1).join("/"));
}

/** Of `candidates`, those enclosing none of `occupants` (kept files, live folders), deepest first. */
function emptiedFolders(candidates: string[], occupants: string[]): string[] {
  const occupied = new Set(occupants.flatMap(ancestorsOf));
  const depth = (path: string) => path.split("/").length;
  return candidates
    .filter((path) => !occupied.has(path))
    .sort((a, b) => depth(b) - depth(a) || (a < b ? -1 : a > b ? 1 : 0));
}
