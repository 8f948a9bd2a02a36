/**
 * Lists everything under the scratch root (`paths.temp`): every file, link or other entry and every folder,
 * at any depth, with sizes and modification times from lstat. Links are never followed, so nothing outside
 * the root is measured or touched. Entries that vanish while we look (a request finished) are skipped.
 */
import { lstat, readdir } from "node:fs/promises";
import { join } from "node:path";
import type { FileFacts } from "./selection.js";

export interface TempSnapshot {
  files: FileFacts[];
  folders: FileFacts[];
  /** Folders that could not be listed, with the error code; their contents are unknown, so they are left alone. */
  unreadable: Array<{ path: string; code: string }>;
}

export async function walkTemp(root: string): Promise<TempSnapshot> {
  const snapshot: TempSnapshot = { files: [], folders: [], unreadable: [] };
  const queue = [""];
  for (let folder = queue.shift(); folder !== undefined; folder = queue.shift()) {
    const names = await listFolder(root, folder, snapshot);
    for (const name of names) {
      const path = folder ? `${folder}/${name}` : name;
      const stats = await lstat(join(root, path)).catch(() => undefined);
      if (!stats) continue;
      if (stats.isDirectory()) {
        snapshot.folders.push({ path, sizeBytes: 0, mtimeMs: stats.mtimeMs });
        queue.push(path);
      } else {
        snapshot.files.push({ path, sizeBytes: stats.size, mtimeMs: stats.mtimeMs });
      }
    }
  }
  return snapshot;
}

/** The names in `folder`; none when it is gone (or the root was never made), noted when unreadable. */
async function listFolder(root: string, folder: string, snapshot: TempSnapshot): Promise<string[]> {
  try {
    return await readdir(join(root, folder));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? "ERROR";
    if (code !== "ENOENT") snapshot.unreadable.push({ path: folder, code });
    return [];
  }
}
