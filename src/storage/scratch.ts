/**
 * Per-request scratch folders below `paths.temp` (design.md §6: never a shared temp wipe): made on demand,
 * always removed when the work that owns them ends, whatever happened.
 */
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { join } from "node:path";

/** What each kind of scratch folder is named with; startup recovery finds a crashed run's folders by them. */
export const SCRATCH_PREFIXES = ["out-", "concat-", "upload-", "sources-"] as const;
export type ScratchPrefix = (typeof SCRATCH_PREFIXES)[number];

/** A scratch folder's name: its prefix and mkdtemp's six characters. */
export const SCRATCH_NAME = new RegExp(`^(${SCRATCH_PREFIXES.join("|")})[A-Za-z0-9]{6}$`);

/** A new, empty folder `<tempRoot>/<prefix>XXXXXX`; the root is created when missing. */
export async function makeScratchDir(tempRoot: string, prefix: ScratchPrefix): Promise<string> {
  await mkdir(tempRoot, { recursive: true });
  return mkdtemp(join(tempRoot, prefix));
}

/** Runs `work` in a new scratch folder and removes the folder afterwards, whether `work` succeeded or not. */
export async function withScratchDir<T>(
  tempRoot: string,
  prefix: ScratchPrefix,
  work: (dir: string) => Promise<T>,
): Promise<T> {
  const dir = await makeScratchDir(tempRoot, prefix);
  try {
    return await work(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
