/**
 * Resolves `reference_audio_filename` inside reference_audio/ the way the original API does (spec §4.11):
 * the name as given, then with .wav/.mp3/.flac appended, first in the root and then one folder deep (a full
 * relative path names any voice). A name found in several folders is a 409, not the first one's voice.
 */
import { readdir, stat } from "node:fs/promises";
import { relative, sep } from "node:path";
import { ConflictError, NotFoundError, ValidationError } from "../domain/errors.js";
import { resolveInside } from "./confine.js";

const APPENDED_EXTENSIONS = ["", ".wav", ".mp3", ".flac"];
/** `scheme://` as in http://, file:///, ftp://, or a `data:` URL; group 1 or 2 is the scheme. */
const URL_SCHEME = /^(?:([a-z][a-z0-9+.-]*):\/\/|(data):)/i;

async function isFile(path: string): Promise<boolean> {
  return (await stat(path).catch(() => undefined))?.isFile() ?? false;
}

export class ReferenceVoiceStore {
  constructor(readonly root: string) {}

  /** Returns the absolute path of the voice file; 422 for a URL, 404 when nothing matches. */
  async resolve(name: string): Promise<string> {
    const match = URL_SCHEME.exec(name);
    if (match) {
      const scheme = (match[1] ?? match[2] ?? "").toLowerCase();
      // Any scheme (http, file, ftp, data, …) is a URL, never a name to look up: refuse it as invalid input.
      const message = "only names of files inside reference_audio are accepted; URLs are not supported";
      throw new ValidationError(`reference_audio_filename: ${message}`, [
        { loc: ["body", "reference_audio_filename"], msg: `${message} (got a ${scheme}: URL)`, type: "value_error" },
      ]);
    }
    const atRoot = await this.findIn("", name);
    if (atRoot) return atRoot;
    const found: string[] = [];
    for (const folder of await this.subfolders()) {
      const match = await this.findIn(folder, name);
      if (match) found.push(match);
    }
    if (found.length > 1) {
      // The original silently took the first folder's: a different voice than meant is worse than asking.
      const paths = found.map((path) => relative(this.root, path).split(sep).join("/"));
      throw new ConflictError(`'${name}' names ${found.length} voices; send one of their paths`, paths.join(", "));
    }
    if (found[0]) return found[0];
    throw new NotFoundError(`Audio file not found: ${name} in reference_audio`);
  }

  private async findIn(folder: string, name: string): Promise<string | undefined> {
    for (const extension of APPENDED_EXTENSIONS) {
      const relativeName = folder ? `${folder}/${name}${extension}` : `${name}${extension}`;
      const { absolute } = await resolveInside(this.root, relativeName, "reference_audio_filename");
      if (await isFile(absolute)) return absolute;
    }
    return undefined;
  }

  /** Immediate subfolders, sorted so resolution does not depend on directory order. */
  private async subfolders(): Promise<string[]> {
    const entries = await readdir(this.root, { withFileTypes: true }).catch(() => []);
    return entries
      .filter((entry) => entry.isDirectory() && !entry.name.startsWith("."))
      .map((entry) => entry.name)
      .sort();
  }
}
