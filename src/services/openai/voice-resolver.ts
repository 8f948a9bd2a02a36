/**
 * Turns the `voice` of an OpenAI-style request into a voice of this server, in a fixed order that never falls
 * back silently: a library voice by its path (or by its path without the extension, when one file alone has
 * it), then a library voice by its metadata name (when one voice alone has it), then a name from
 * `openai.voice_aliases`. Each step is an index query (better-sqlite3 is synchronous), so resolving is too.
 */
import { NotFoundError, ServerMisconfiguredError, ValidationError, type FieldIssue } from "../../domain/errors.js";
import { AUDIO_EXTENSIONS, stemOf, type IndexedFile } from "../../storage/library/library-entry.js";
import type { LibraryCatalog } from "../library/library-catalog.js";
import type { VoiceLibrary } from "../library/voice-library.js";

export interface ResolvedVoice {
  /** The id clients use for it: the library path (e.g. "narrators/anna.wav") or the alias name. */
  id: string;
  /** A path inside reference_audio/ for TTS, or undefined for the engine's built-in voice. */
  referenceAudioFilename: string | undefined;
  /** How the name was found. */
  via: "library" | "alias";
}

/** What a reference names, before anyone is blamed: a voice, several voices, an alias whose target is missing. */
export type VoiceLookup =
  | { found: ResolvedVoice }
  | { ambiguous: string[]; by: "path" | "name" }
  | { brokenAlias: { target: string; matches: string[] } }
  | undefined;

export interface VoiceResolverOptions {
  voices: VoiceLibrary;
  /** Name → a path in reference_audio/, "" for the engine's built-in voice (config `openai.voice_aliases`). */
  aliases: Record<string, string>;
}

/** Both spellings of each extension: the index compares paths exactly. */
const EXTENSION_VARIANTS = [...AUDIO_EXTENSIONS].flatMap((ext) => [ext, ext.toUpperCase()]);

export class VoiceResolver {
  constructor(private readonly options: VoiceResolverOptions) {}

  /**
   * The voice `voice` names (OpenAI's string or `{id}`); `param` names the request field in errors.
   * @throws ValidationError (empty or ambiguous), NotFoundError, ServerMisconfiguredError (a broken alias),
   *   IndexBuildingError (the library index is not built yet)
   */
  resolve(voice: string | { id: string }, param = "voice"): ResolvedVoice {
    const ref = typeof voice === "string" ? voice : voice.id;
    if (ref.trim() === "") throw fieldError(ValidationError, `${param}: must not be empty`, param, "missing");
    const lookup = this.lookup(ref);
    if (lookup === undefined) {
      const msg =
        `Voice '${ref}' not found: no library voice has this path or name and it is not a voice alias; ` +
        "GET /v1/audio/voices lists the voices";
      throw fieldError(NotFoundError, msg, param, "not_found");
    }
    if ("ambiguous" in lookup) {
      const how = lookup.by === "name" ? "library voices are named" : "files have the path";
      const candidates = `${lookup.ambiguous.length} ${how} '${ref}' (${lookup.ambiguous.join(", ")})`;
      const msg = `Voice '${ref}' is ambiguous: ${candidates}; send the id (path) of one`;
      throw fieldError(ValidationError, msg, param, "ambiguous");
    }
    if ("brokenAlias" in lookup) throw brokenAlias(ref, lookup.brokenAlias, param);
    return lookup.found;
  }

  /** What `ref` names, in the resolution order; undefined when it names nothing. */
  lookup(ref: string): VoiceLookup {
    const alias = () =>
      Object.hasOwn(this.options.aliases, ref) ? this.alias(ref, this.options.aliases[ref]!) : undefined;
    return fromLibrary(this.byPath(ref), "path") ?? fromLibrary(this.byName(ref), "name") ?? alias();
  }

  private alias(name: string, target: string): VoiceLookup {
    if (target === "") return { found: { id: name, referenceAudioFilename: undefined, via: "alias" } };
    const matches = this.byPath(target);
    if (matches.length === 1) return { found: { id: name, referenceAudioFilename: matches[0]!.path, via: "alias" } };
    return { brokenAlias: { target, matches: matches.map((entry) => entry.path) } };
  }

  /** The file at exactly `ref`; else every file whose path without its extension is `ref`. */
  private byPath(ref: string): IndexedFile[] {
    const filenames = [ref, ...EXTENSION_VARIANTS.map((ext) => `${ref}.${ext}`)];
    // `filenames` also matches bare file names in any folder; only whole paths count here.
    const { items } = this.catalog.list({ filenames, sortBy: "filename", sortOrder: "asc" });
    const exact = items.filter((entry) => entry.path === ref);
    return exact.length > 0 ? exact : items.filter((entry) => pathWithoutExtension(entry) === ref);
  }

  /** Every voice whose metadata name is exactly `name` (the search narrows the rows, the filter decides). */
  private byName(name: string): IndexedFile[] {
    const { items } = this.catalog.list({ search: name, sortBy: "filename", sortOrder: "asc" });
    return items.filter((entry) => entry.name === name);
  }

  private get catalog(): LibraryCatalog {
    return this.options.voices.catalog;
  }
}

/** One match is the voice; several are ambiguous, never a guess. */
function fromLibrary(matches: IndexedFile[], by: "path" | "name"): VoiceLookup {
  if (matches.length > 1) return { ambiguous: matches.map((entry) => entry.path), by };
  const [match] = matches;
  return match && { found: { id: match.path, referenceAudioFilename: match.path, via: "library" } };
}

function pathWithoutExtension(entry: IndexedFile): string {
  const stem = stemOf(entry.filename);
  return entry.folder === "" ? stem : `${entry.folder}/${stem}`;
}

type FieldErrorClass = new (message: string, detail: FieldIssue[]) => Error;

/** An error about one body field, so OpenAI's error body names it as `param`. */
function fieldError(type: FieldErrorClass, message: string, param: string, kind: string): Error {
  return new type(message, [{ loc: ["body", param], msg: message, type: kind }]);
}

function brokenAlias(name: string, alias: { target: string; matches: string[] }, param: string): Error {
  const problem =
    alias.matches.length === 0
      ? "which is not a voice of the library (reference_audio/)"
      : `which matches several files (${alias.matches.join(", ")})`;
  const msg =
    `The server's openai.voice_aliases maps '${name}' to '${alias.target}', ${problem}; ` +
    "the server's configuration needs fixing";
  return fieldError(ServerMisconfiguredError, msg, param, "server_misconfigured");
}
