/**
 * Companion JSON files (`<file>.<ext>.json`, spec §4.2): read tolerantly, written atomically. A corrupted
 * companion never breaks a listing: the file is listed with a warning saying what is wrong.
 */
import { readFileSync, statSync } from "node:fs";
import { writeFileAtomic } from "../atomic-write.js";
import { COMPANION_SUFFIX, type CompanionRead } from "./library-entry.js";

/** The companion path of an audio file. */
export function companionPath(audioPath: string): string {
  return `${audioPath}${COMPANION_SUFFIX}`;
}

/**
 * Reads the companion of `audioPath` (synchronously: the scanner reads thousands in a row and yields between
 * folders). A missing companion is normal; an unreadable one comes back with a warning.
 */
export function readCompanion(audioPath: string): CompanionRead {
  const path = companionPath(audioPath);
  let mtimeMs: number;
  let text: string;
  try {
    mtimeMs = statSync(path).mtimeMs;
    text = readFileSync(path, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return { mtimeMs: null, data: null, warning: null };
    return { mtimeMs: null, data: null, warning: `its metadata file could not be read (${(error as Error).message})` };
  }
  try {
    const data: unknown = JSON.parse(text);
    if (typeof data === "object" && data !== null && !Array.isArray(data)) {
      return { mtimeMs, data: data as Record<string, unknown>, warning: null };
    }
    return { mtimeMs, data: null, warning: "its metadata file is not a JSON object; it was ignored" };
  } catch {
    return { mtimeMs, data: null, warning: "its metadata file is not valid JSON; it was ignored" };
  }
}

/** Replaces the companion of `audioPath` atomically, readers see the old or the new one, never half. */
export async function writeCompanion(audioPath: string, data: Record<string, unknown>): Promise<void> {
  await writeFileAtomic(companionPath(audioPath), `${JSON.stringify(data, null, 2)}\n`);
}
