/**
 * The voices of the OpenAI-compatible API (/v1/audio/voices). The listing shows the library's voices, oldest
 * first so that pages stay put while voices are added, then the names of `openai.voice_aliases`, paged by id
 * as OpenAI pages its lists. Creating a voice stores the sample in the library under a file name made from the
 * voice's name, and refuses a name that already resolves to something, so the new voice resolves by its id and
 * by its name at once.
 */
import { ConflictError, ValidationError } from "../../domain/errors.js";
import { cleanFileName } from "../../storage/confine.js";
import type { IndexedFile } from "../../storage/library/library-entry.js";
import { uploadedAudioFormat, type UploadedFile } from "../library/audio-upload.js";
import type { SavedVoice, VoiceLibrary } from "../library/voice-library.js";
import type { VoiceLookup, VoiceResolver } from "./voice-resolver.js";

export type ListedVoice =
  | { kind: "library"; entry: IndexedFile }
  /** `target` null: the engine's built-in voice; `warning`: why requests for it do not get `target`. */
  | { kind: "alias"; name: string; target: string | null; createdAt: number; warning: string | undefined };

export interface VoicePage {
  items: ListedVoice[];
  hasMore: boolean;
}

export interface NewVoice {
  name: string;
  file: UploadedFile;
  /** The form field the sample came in, for messages. */
  fileField: string;
  /** Confined folder below reference_audio/, '' for the root. */
  folder: string;
  description: string | undefined;
}

export interface VoiceDirectoryOptions {
  voices: VoiceLibrary;
  resolver: VoiceResolver;
  aliases: Record<string, string>;
  /** Unix seconds shown as the aliases' `created_at`: they exist since the configuration was loaded. */
  createdAt: number;
}

/** File names stay well below the 255 bytes file systems allow, whatever script the name is in. */
const MAX_STEM_BYTES = 200;

export class VoiceDirectory {
  constructor(private readonly options: VoiceDirectoryOptions) {}

  /** Up to `limit` voices after the one whose id is `after`. */
  list(page: { limit: number; after?: string | undefined }): VoicePage {
    const names = Object.keys(this.options.aliases).sort();
    const cursor = page.after === undefined ? {} : this.cursor(page.after, names);
    const library = cursor.alias === undefined ? this.libraryAfter(cursor.entry, page.limit + 1) : [];
    const firstAlias = cursor.alias === undefined ? 0 : cursor.alias + 1;
    const aliases = names.slice(firstAlias, firstAlias + page.limit + 1 - library.length);
    const items: ListedVoice[] = [
      ...library.map((entry) => ({ kind: "library" as const, entry })),
      ...aliases.map((name) => this.aliasItem(name)),
    ];
    return { items: items.slice(0, page.limit), hasMore: items.length > page.limit };
  }

  /** Stores `voice` in the library. @throws ConflictError (409) when its name already names a voice */
  async create(voice: NewVoice): Promise<SavedVoice> {
    const taken = takenBecause(voice.name, this.options.resolver.lookup(voice.name));
    if (taken) throw nameTaken(voice.name, taken);
    const filename = `${fileStem(voice.name)}.${await uploadedAudioFormat(voice.file, voice.fileField)}`;
    const path = voice.folder === "" ? filename : `${voice.folder}/${filename}`;
    try {
      return await this.options.voices.upload({
        file: { ...voice.file, originalName: filename },
        name: voice.name,
        description: voice.description,
        tags: [],
        folder: voice.folder,
        defaultParameters: {},
        overwrite: false,
        field: voice.fileField,
      });
    } catch (error) {
      // The name is free, but a file by another name cleans to the same file name.
      if (error instanceof ConflictError) throw nameTaken(voice.name, `its file would be '${path}', which exists`);
      throw error;
    }
  }

  /** Where `after` is: a library voice, or the index of an alias name. */
  private cursor(after: string, names: string[]): { entry?: IndexedFile; alias?: number } {
    const entry = this.options.voices.catalog.store.get(after);
    if (entry) return { entry };
    const alias = names.indexOf(after);
    if (alias >= 0) return { alias };
    const msg = `'${after}' is not the id of a voice GET /v1/audio/voices lists`;
    throw new ValidationError(`after: ${msg}`, [{ loc: ["query", "after"], msg, type: "value_error" }]);
  }

  /**
   * Up to `count` library voices after `after` in (created, path) order. The index pages by offset, so the
   * query starts at `after`'s creation time and skips what shares that time up to `after` itself.
   */
  private libraryAfter(after: IndexedFile | undefined, count: number): IndexedFile[] {
    const catalog = this.options.voices.catalog;
    const order = { sortBy: "created_date", sortOrder: "asc", page: 1 } as const;
    if (after === undefined) return catalog.list({ ...order, pageSize: count }).items;
    const at = { createdFrom: after.createdMs };
    const ties = catalog.list({ ...order, ...at, createdTo: after.createdMs, pageSize: 1 }).total;
    const { items } = catalog.list({ ...order, ...at, pageSize: ties + count });
    const index = items.findIndex((entry) => entry.path === after.path);
    return items.slice(index + 1, index + 1 + count);
  }

  private aliasItem(name: string): ListedVoice {
    const target = this.options.aliases[name]!;
    const warning = aliasWarning(this.options.resolver.lookup(name));
    return { kind: "alias", name, target: target === "" ? null : target, createdAt: this.options.createdAt, warning };
  }
}

/** Why requests for an alias do not reach its target, if they do not. */
function aliasWarning(lookup: VoiceLookup): string | undefined {
  if (lookup === undefined || ("found" in lookup && lookup.found.via === "alias")) return undefined;
  if ("found" in lookup) return `the library voice '${lookup.found.id}' has this name and answers it instead`;
  if ("ambiguous" in lookup) return `library voices (${lookup.ambiguous.join(", ")}) have this name: requests fail`;
  return "its target is not one voice of the library: requests fail until openai.voice_aliases is fixed";
}

function takenBecause(name: string, lookup: VoiceLookup): string | undefined {
  if (lookup === undefined) return undefined;
  if ("ambiguous" in lookup) return `it names ${lookup.ambiguous.join(", ")}`;
  if ("found" in lookup && lookup.found.via === "library") return `it names the voice '${lookup.found.id}'`;
  return `'${name}' is a voice alias of this server (openai.voice_aliases)`;
}

function nameTaken(name: string, reason: string): ConflictError {
  const msg = `the name '${name}' is taken: ${reason}; choose another name`;
  return new ConflictError(`name: ${msg}`, [{ loc: ["body", "name"], msg, type: "conflict" }]);
}

/** The voice's name as a file name: folder separators and unsafe characters become `_`. */
function fileStem(name: string): string {
  const chars = Array.from(cleanFileName(name.replace(/[/\\]/g, "_"), "voice"));
  while (Buffer.byteLength(chars.join("")) > MAX_STEM_BYTES) chars.pop();
  return chars.join("").replace(/[. ]+$/, "") || "voice";
}
