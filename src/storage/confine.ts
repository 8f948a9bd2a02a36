/**
 * Client-supplied paths are confined to their data root: NUL bytes, absolute paths, backslashes, `..`
 * segments and symlinks that lead outside the root are rejected with 400, never rewritten into something
 * else. Client file names (uploads) are cleaned instead, as the original API did (spec §4.3).
 */
import { realpath } from "node:fs/promises";
import { dirname, join, relative, sep } from "node:path";
import { BadRequestError } from "../domain/errors.js";

/** Characters that are unsafe in file names on common systems; replaced like the original API does. */
const UNSAFE_NAME_CHARS = /[<>:"\\|?*]/g;

function invalidPath(field: string, reason: string): BadRequestError {
  return new BadRequestError(`Invalid path in '${field}': ${reason}`, "INVALID_PATH");
}

/**
 * Splits a client path into safe segments: rejects traversal, absolute paths, backslashes (a Windows
 * separator that would smuggle `..\..` past the check) and NUL bytes; drops empty and `.` segments; replaces
 * unsafe characters with `_` and trims dots and spaces at each segment's ends.
 */
export function safeSegments(path: string, field: string): string[] {
  if (path.includes("\0")) throw invalidPath(field, "contains a NUL byte");
  if (path.startsWith("/") || /^[A-Za-z]:[\\/]/.test(path)) throw invalidPath(field, "absolute paths are not allowed");
  if (path.includes("\\")) throw invalidPath(field, "backslashes are not allowed; separate folders with '/'");
  const segments = path.split("/").filter((segment) => segment !== "" && segment !== ".");
  if (segments.includes("..")) throw invalidPath(field, "'..' is not allowed");
  return segments.map((segment) => {
    const cleaned = segment.replace(UNSAFE_NAME_CHARS, "_").replace(/^[. ]+|[. ]+$/g, "");
    if (cleaned === "") throw invalidPath(field, `segment '${segment}' is empty after cleaning`);
    return cleaned;
  });
}

/**
 * A client's file name made safe to store (spec §4.3 sanitize_filename): any folder part is dropped,
 * characters unsafe on common systems become `_`, dots and spaces at the ends go. Empty → `fallback`.
 */
export function cleanFileName(name: string, fallback: string): string {
  const base = name.split(/[\\/]/).pop() ?? "";
  const cleaned = base
    .replace(/\0/g, "")
    .replace(UNSAFE_NAME_CHARS, "_")
    .replace(/^[. ]+|[. ]+$/g, "");
  return cleaned === "" ? fallback : cleaned;
}

function isInside(root: string, candidate: string): boolean {
  const rel = relative(root, candidate);
  return rel === "" || (!rel.startsWith(`..${sep}`) && rel !== ".." && !rel.startsWith(sep));
}

/** realpath of the deepest existing ancestor of `path` (the path itself when it exists). */
async function realpathOfExistingPrefix(path: string): Promise<string> {
  try {
    return await realpath(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
    const parent = dirname(path);
    if (parent === path) return path;
    return join(await realpathOfExistingPrefix(parent), relative(parent, path));
  }
}

/**
 * Resolves `path` (relative, `/`-separated) inside `root` and proves, following symlinks, that it stays there.
 * Returns the absolute path and the cleaned relative path (`""` for the root itself).
 */
export async function resolveInside(
  root: string,
  path: string,
  field: string,
): Promise<{ absolute: string; relative: string }> {
  const segments = safeSegments(path, field);
  const absolute = join(root, ...segments);
  const [realRoot, realTarget] = await Promise.all([realpath(root), realpathOfExistingPrefix(absolute)]);
  if (!isInside(realRoot, realTarget)) throw invalidPath(field, "it leads outside its folder");
  return { absolute, relative: segments.join("/") };
}
