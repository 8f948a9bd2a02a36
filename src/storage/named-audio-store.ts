/**
 * Resolves a name given by a request (`reference_audio_filename`, `target_voice_source`, `input_audio_source`)
 * inside its library root the way the original API does (spec §4.11): the name as given, then with
 * .wav/.mp3/.flac appended, first in the root and then one folder deep (a full relative path names any file).
 * A name found in several folders is a 409, not the first one's file. URLs are never names: the caller
 * handles them before (see services/audio-sources.ts) or they are a 422 here.
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

/** The URL scheme of `text` in lower case (`http`, `file`, `data`, …), or undefined when it is not a URL. */
export function urlScheme(text: string): string | undefined {
  const match = URL_SCHEME.exec(text);
  return match ? (match[1] ?? match[2] ?? "").toLowerCase() : undefined;
}

export class NamedAudioStore {
  /** `label` names the library in messages: "reference_audio", "vc_inputs". */
  constructor(
    readonly root: string,
    readonly label: string,
  ) {}

  /**
   * Returns the absolute path of the named file. `field` is the request field, named in errors.
   * @throws ValidationError (422) for a URL of any scheme; NotFoundError when nothing matches; ConflictError
   *   when the name matches in several folders.
   */
  async resolve(name: string, field: string): Promise<string> {
    const scheme = urlScheme(name);
    if (scheme !== undefined) {
      // Any scheme (http, file, ftp, data, …) is a URL, never a name to look up: refuse it as invalid input.
      const message = `only names of files inside ${this.label} are accepted here`;
      throw new ValidationError(`${field}: ${message}`, [
        { loc: ["body", field], msg: `${message} (got a ${scheme}: URL)`, type: "value_error" },
      ]);
    }
    const atRoot = await this.findIn("", name, field);
    if (atRoot) return atRoot;
    const found: string[] = [];
    for (const folder of await this.subfolders()) {
      const match = await this.findIn(folder, name, field);
      if (match) found.push(match);
    }
    if (found.length > 1) {
      // The original silently took the first folder's: a different voice than meant is worse than asking.
      const paths = found.map((path) => relative(this.root, path).split(sep).join("/"));
      throw new ConflictError(`'${name}' names ${found.length} voices; send one of their paths`, paths.join(", "));
    }
    if (found[0]) return found[0];
    throw new NotFoundError(`Audio file not found: ${name} in ${this.label}`);
  }

  private async findIn(folder: string, name: string, field: string): Promise<string | undefined> {
    for (const extension of APPENDED_EXTENSIONS) {
      const relativeName = folder ? `${folder}/${name}${extension}` : `${name}${extension}`;
      const { absolute } = await resolveInside(this.root, relativeName, field);
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
