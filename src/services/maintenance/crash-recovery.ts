/**
 * What a crash (kill -9, power cut) can leave behind, removed at startup before anything is served, when no
 * request of this process can own it: scratch folders of requests that never finished, and the hidden
 * `.partial` files of atomic writes cut off before their rename. Only names this server makes are touched,
 * so a temp root shared with other programs is safe. The database needs nothing: SQLite rolls an interrupted
 * transaction back itself, and jobs that were running are resumed by the job runner.
 */
import { readdir, rm } from "node:fs/promises";
import { join } from "node:path";
import { PARTIAL_NAME } from "../../storage/atomic-write.js";
import { SCRATCH_NAME } from "../../storage/scratch.js";

export interface CrashLeftovers {
  scratchFolders: number;
  partialFiles: number;
}

/**
 * @param tempRoot `paths.temp`
 * @param roots the folders atomic writes happen in (the libraries, the jobs' work folders)
 */
export async function removeCrashLeftovers(tempRoot: string, roots: readonly string[]): Promise<CrashLeftovers> {
  const scratch = (await entries(tempRoot)).filter((entry) => entry.isDirectory() && SCRATCH_NAME.test(entry.name));
  await Promise.all(scratch.map((entry) => rm(join(tempRoot, entry.name), { recursive: true, force: true })));
  let partialFiles = 0;
  for (const root of roots) {
    const partial = (await entries(root, true)).filter((entry) => entry.isFile() && PARTIAL_NAME.test(entry.name));
    await Promise.all(partial.map((entry) => rm(join(entry.parentPath, entry.name), { force: true })));
    partialFiles += partial.length;
  }
  return { scratchFolders: scratch.length, partialFiles };
}

/** A folder's entries (all below it when `recursive`); none when it does not exist yet. */
async function entries(folder: string, recursive = false) {
  try {
    return await readdir(folder, { withFileTypes: true, recursive });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw error;
  }
}
