/** Writes that readers never see half-done: data goes to a hidden sibling first, then is renamed or linked. */
import { randomBytes } from "node:crypto";
import { copyFile, link, rename, rm, writeFile } from "node:fs/promises";
import { basename, dirname, join } from "node:path";

/** The name of a write still in progress, or left half-done by a crash. */
export const PARTIAL_NAME = /^\..+\.[0-9a-f]{8}\.partial$/;

function hiddenSibling(target: string): string {
  return join(dirname(target), `.${basename(target)}.${randomBytes(4).toString("hex")}.partial`);
}

/** Replaces `target` with `data` atomically (last writer wins). */
export async function writeFileAtomic(target: string, data: string | Buffer): Promise<void> {
  const partial = hiddenSibling(target);
  try {
    await writeFile(partial, data);
    await rename(partial, target);
  } finally {
    await rm(partial, { force: true });
  }
}

/** Replaces `target` with a copy of `source` atomically (last writer wins). */
export async function replaceFile(source: string, target: string): Promise<void> {
  const partial = hiddenSibling(target);
  try {
    await copyFile(source, partial);
    await rename(partial, target);
  } finally {
    await rm(partial, { force: true });
  }
}

/**
 * Copies `source` to `target` only if `target` does not exist yet, atomically: the copy is hard-linked into
 * place, which fails with EEXIST instead of overwriting. Returns false when the name was taken.
 */
export async function copyFileNoClobber(source: string, target: string): Promise<boolean> {
  const partial = hiddenSibling(target);
  try {
    await copyFile(source, partial);
    await link(partial, target);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EEXIST") return false;
    throw error;
  } finally {
    await rm(partial, { force: true });
  }
}
