/**
 * The name a concatenation is published under: a generated one (spec §4.1), or the client's
 * `output_filename`, cleaned like an upload's name (spec §4.3; the original used it as sent), with each
 * format's extension in place of any audio extension it had. A name that is taken is a 409 unless
 * `overwrite` is true (the original silently overwrote); then the old files go just before publishing.
 */
import { EXPORT_EXTENSIONS } from "../../audio/ffmpeg.js";
import { ConflictError, NotFoundError, ValidationError } from "../../domain/errors.js";
import type { ExportFormat } from "../../domain/tts-fields.js";
import { cleanFileName } from "../../storage/confine.js";
import { AUDIO_EXTENSIONS, extensionOf, stemOf } from "../../storage/library/library-entry.js";
import type { LibraryStore } from "../../storage/library/library-store.js";
import type { OutputFolder, OutputStore } from "../../storage/output-store.js";

/** Removes an output a request replaces, with its companion. */
export interface OutputReplacer {
  remove(relativePath: string): Promise<void>;
}

/** A replacer working through the outputs library, so its index forgets the file as it goes. */
export function libraryReplacer(store: LibraryStore): OutputReplacer {
  return {
    async remove(relativePath) {
      // A file written by another program since the last scan is not indexed yet: index it to remove it.
      await store.indexNew([relativePath]);
      const entry = store.get(relativePath);
      if (entry) await store.remove(entry);
    },
  };
}

export interface FixedTarget {
  /** Paths below outputs/ that exist and will be replaced. */
  replaces: string[];
  /** Says how the name was cleaned, when it was. */
  warnings: string[];
  stemFor(attempt: number): string;
}

/** Extensions a client may have put on `output_filename`; they are replaced, anything else is kept. */
const NAME_EXTENSIONS = new Set([...AUDIO_EXTENSIONS, ...Object.values(EXPORT_EXTENSIONS), "aac"]);

export interface FixedTargetInput {
  name: string;
  formats: readonly ExportFormat[];
  folder: OutputFolder;
  overwrite: boolean;
  outputs: OutputStore;
}

/**
 * Checks the client's name before any work: 422 when nothing of it is left after cleaning, 409 when a
 * file it would write exists and `overwrite` is not set.
 */
export async function fixedTarget(input: FixedTargetInput): Promise<FixedTarget> {
  const cleaned = cleanFileName(input.name, "");
  const stem = NAME_EXTENSIONS.has(extensionOf(cleaned)) ? stemOf(cleaned) : cleaned;
  if (stem === "") {
    const msg = "must name a file: nothing is left of it once unsafe characters are removed";
    throw new ValidationError(`output_filename: ${msg}`, [
      { loc: ["body", "output_filename"], msg, type: "value_error" },
    ]);
  }
  const prefix = input.folder.relative ? `${input.folder.relative}/` : "";
  const paths = [...new Set(input.formats.map((format) => `${prefix}${stem}.${EXPORT_EXTENSIONS[format]}`))];
  const replaces = (await Promise.all(paths.map((path) => existing(input.outputs, path)))).flatMap((p) => p ?? []);
  const taken = (found: string[]) =>
    new ConflictError(
      `'${prefix}${stem}' already exists in outputs/; send overwrite=true to replace it`,
      found.join(", "),
    );
  if (replaces.length > 0 && !input.overwrite) throw taken(replaces);
  const warnings = cleaned === input.name ? [] : [`output_filename '${input.name}' was cleaned to '${cleaned}'`];
  return {
    replaces,
    warnings,
    stemFor: (attempt) => {
      // A second attempt means another request took the name after the check.
      if (attempt > 0) throw taken(paths);
      return stem;
    },
  };
}

async function existing(outputs: OutputStore, path: string): Promise<string | undefined> {
  try {
    await outputs.resolveFile(path);
    return path;
  } catch (error) {
    if (error instanceof NotFoundError) return undefined;
    throw error;
  }
}
