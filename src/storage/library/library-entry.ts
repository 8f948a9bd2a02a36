/**
 * What the index knows about one audio file of a library, and how that is derived from the file on disk
 * and its `<file>.<ext>.json` companion. The three libraries differ only in which companion fields they
 * read (voices: name, description, tags, usage; VC inputs: text; outputs: generation type and info).
 */

export type LibraryKind = "voices" | "vc_inputs" | "outputs";

/** Extensions the libraries hold (spec §1.3, plus what uploads accept: Opus and WebM). */
export const AUDIO_EXTENSIONS: ReadonlySet<string> = new Set([
  "wav",
  "mp3",
  "flac",
  "ogg",
  "opus",
  "m4a",
  "m4b",
  "webm",
]);

/** A companion JSON's suffix: `speaker.wav` → `speaker.wav.json`. */
export const COMPANION_SUFFIX = ".json";

/** Facts of an audio file read from the file system. */
export interface DiskFile {
  /** Relative to the library root, '/'-separated. */
  path: string;
  /** The folder part of `path`, '' at the root. */
  folder: string;
  filename: string;
  format: string;
  sizeBytes: number;
  mtimeMs: number;
  /** When the file appeared (birth time where the file system keeps it, else its change time). */
  createdMs: number;
}

/** The companion as read: its object, or why it could not be used. */
export interface CompanionRead {
  mtimeMs: number | null;
  data: Record<string, unknown> | null;
  warning: string | null;
}

/** Audio facts measured by probing the file (used when the companion does not carry them). */
export interface AudioFacts {
  durationSeconds: number | null;
  sampleRate: number | null;
}

/**
 * One row of the index. Its `createdMs` is the creation time its companion records (`created_date` of
 * uploads, `created_at` of generated files) where there is one, else the file's own (see DiskFile).
 */
export interface IndexedFile extends DiskFile {
  companionMtimeMs: number | null;
  companion: Record<string, unknown> | null;
  warning: string | null;
  durationSeconds: number | null;
  sampleRate: number | null;
  name: string;
  generationType: string | null;
  tags: string[];
  usageCount: number;
  lastUsed: string | null;
}

/** Splits a relative path into its folder and file name. */
export function splitPath(path: string): { folder: string; filename: string } {
  const slash = path.lastIndexOf("/");
  return slash < 0 ? { folder: "", filename: path } : { folder: path.slice(0, slash), filename: path.slice(slash + 1) };
}

/** The extension without the dot, lower case; '' when there is none. */
export function extensionOf(filename: string): string {
  const dot = filename.lastIndexOf(".");
  return dot <= 0 ? "" : filename.slice(dot + 1).toLowerCase();
}

export function stemOf(filename: string): string {
  const dot = filename.lastIndexOf(".");
  return dot <= 0 ? filename : filename.slice(0, dot);
}

/** The generation type an output's name announces (spec §3.14), used when its companion says nothing. */
export function generationTypeOf(filename: string): string {
  const match = /^(tts|vc|concat|mixed)_/.exec(filename);
  return match ? (match[1] as string) : "unknown";
}

function text(value: unknown): string | undefined {
  return typeof value === "string" && value.trim() !== "" ? value : undefined;
}

function finiteNumber(value: unknown): number | null {
  return typeof value === "number" && Number.isFinite(value) ? value : null;
}

function stringList(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === "string") : [];
}

/** Where an output's companion keeps its audio facts (written by the TTS pipeline). */
function generationInfo(companion: Record<string, unknown> | null): Record<string, unknown> {
  const info = companion?.generation_info;
  return typeof info === "object" && info !== null ? (info as Record<string, unknown>) : {};
}

/** Audio facts the companion already records, so the file need not be probed. */
export function companionAudioFacts(kind: LibraryKind, companion: Record<string, unknown> | null): AudioFacts {
  const source = kind === "outputs" ? generationInfo(companion) : (companion ?? {});
  return { durationSeconds: finiteNumber(source.duration_seconds), sampleRate: finiteNumber(source.sample_rate) };
}

/**
 * When the companion says the file was made. Listings show that date, so date filters and sorting must use
 * it too: a copied or restored library gets new file times, but its files were made when their companions say.
 */
function companionCreatedMs(companion: Record<string, unknown> | null): number | undefined {
  const value = companion?.created_date ?? companion?.created_at;
  const ms = typeof value === "string" ? Date.parse(value) : Number.NaN;
  return Number.isNaN(ms) ? undefined : ms;
}

/** The index row for a file, its companion and (when needed) its probed audio facts. */
export function buildEntry(
  kind: LibraryKind,
  file: DiskFile,
  companion: CompanionRead,
  probed: AudioFacts,
): IndexedFile {
  const data = companion.data;
  const known = companionAudioFacts(kind, data);
  return {
    ...file,
    createdMs: companionCreatedMs(data) ?? file.createdMs,
    companionMtimeMs: companion.mtimeMs,
    companion: data,
    warning: companion.warning,
    durationSeconds: known.durationSeconds ?? probed.durationSeconds,
    sampleRate: known.sampleRate ?? probed.sampleRate,
    name: (kind === "voices" ? text(data?.name) : undefined) ?? stemOf(file.filename),
    generationType: kind === "outputs" ? (text(data?.type) ?? generationTypeOf(file.filename)) : null,
    tags: kind === "voices" ? stringList(data?.tags) : [],
    usageCount: kind === "voices" ? Math.max(0, Math.trunc(finiteNumber(data?.usage_count) ?? 0)) : 0,
    lastUsed: kind === "voices" ? (text(data?.last_used) ?? null) : null,
  };
}

/** The voice description shown when the companion has none (spec §4.2). */
export function voiceDescription(entry: IndexedFile): string {
  return text(entry.companion?.description) ?? `Voice file: ${entry.filename}`;
}

/** The lower-cased text `search` matches: what each library's listing promises to search. */
export function searchTextOf(kind: LibraryKind, entry: IndexedFile): string {
  const parts = [entry.filename, entry.folder];
  if (kind === "voices") parts.push(entry.name, voiceDescription(entry), ...entry.tags);
  if (kind === "vc_inputs") parts.push(text(entry.companion?.text) ?? "");
  return parts.join("\n").toLowerCase();
}
