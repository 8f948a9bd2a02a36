/**
 * Per-request scratch folders below `paths.temp` (design.md §6: never a shared temp wipe): made on demand,
 * always removed when the work that owns them ends, whatever happened.
 */
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { join } from "node:path";

/** A new, empty folder `<tempRoot>/<prefix>XXXXXX`; the root is created when missing. */
export async function makeScratchDir(tempRoot: string, prefix: string): Promise<string> {
  await mkdir(tempRoot, { recursive: true });
  return mkdtemp(join(tempRoot, prefix));
}

/** Runs `work` in a new scratch folder and removes the folder afterwards, whether `work` succeeded or not. */
export async function withScratchDir<T>(
  tempRoot: string,
  prefix: string,
  work: (dir: string) => Promise<T>,
): Promise<T> {
  const dir = await makeScratchDir(tempRoot, prefix);
  try {
    return await work(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
