/**
 * The voice library (reference_audio/): uploads with their metadata, metadata edits (a new folder moves the
 * file and its companion), usage statistics kept by every synthesis that uses a voice, and each voice's
 * `default_parameters`, which TTS applies where a request leaves a field unset.
 */
import { relative, sep } from "node:path";
import type { TtsDefaults } from "../../domain/tts-fields.js";
import { stemOf, type IndexedFile } from "../../storage/library/library-entry.js";
import { checkUploadedAudio, type UploadedFile } from "./audio-upload.js";
import type { LibraryCatalog } from "./library-catalog.js";

/** Reference clips shorter or longer than this clone less well; uploads outside get a warning. */
const RECOMMENDED_SECONDS = { min: 3, max: 60 };

export interface VoiceUpload {
  file: UploadedFile;
  name?: string | undefined;
  description?: string | undefined;
  tags: string[];
  /** Confined folder below reference_audio/, '' for the root. */
  folder: string;
  defaultParameters: Partial<TtsDefaults>;
  overwrite: boolean;
  /** The form field the file came in, named in errors (default `voice_file`, the /api route's). */
  field?: string;
}

/** Fields of PUT /api/v1/voice/{path}/metadata; undefined leaves a field as it is. */
export interface VoiceMetadataPatch {
  name?: string | undefined;
  description?: string | undefined;
  tags?: string[] | undefined;
  /** '' moves the voice to the root. */
  folder?: string | undefined;
  defaultParameters?: Partial<TtsDefaults> | undefined;
}

export interface SavedVoice {
  entry: IndexedFile;
  warnings: string[];
}

const now = (): string => new Date().toISOString();

export class VoiceLibrary {
  constructor(readonly catalog: LibraryCatalog) {}

  async upload(upload: VoiceUpload): Promise<SavedVoice> {
    const checked = await checkUploadedAudio(upload.file, upload.field ?? "voice_file");
    const { durationSeconds, sampleRate } = checked.probed;
    const companion = {
      name: upload.name ?? stemOf(checked.filename),
      description: upload.description ?? `Voice file: ${checked.filename}`,
      tags: upload.tags,
      default_parameters: upload.defaultParameters,
      duration_seconds: durationSeconds,
      sample_rate: sampleRate,
      format: checked.format,
      file_size_bytes: upload.file.sizeBytes,
      created_date: now(),
      uploaded_date: now(),
      usage_count: 0,
      last_used: null,
    };
    const entry = await this.catalog.store.save({
      sourcePath: upload.file.path,
      folder: upload.folder,
      filename: checked.filename,
      overwrite: upload.overwrite,
      companion,
    });
    return { entry, warnings: [...checked.warnings, ...durationWarnings(durationSeconds)] };
  }

  /** Merges `patch` into the voice's metadata; a different folder moves the voice (409 if the name is taken). */
  async updateMetadata(ref: string, patch: VoiceMetadataPatch): Promise<IndexedFile> {
    let entry = await this.catalog.find(ref);
    if (patch.folder !== undefined && patch.folder !== entry.folder) {
      entry = await this.catalog.store.move(entry, patch.folder);
    }
    const fields = {
      ...(patch.name !== undefined ? { name: patch.name } : {}),
      ...(patch.description !== undefined ? { description: patch.description } : {}),
      ...(patch.tags !== undefined ? { tags: patch.tags } : {}),
      ...(patch.defaultParameters !== undefined ? { default_parameters: patch.defaultParameters } : {}),
    };
    return this.catalog.store.updateCompanion(entry, (current) => ({ ...current, ...fields, last_updated: now() }));
  }

  /**
   * Counts one use of the voice at `absolutePath` (a synthesis or conversion with it). Serialized with every
   * other change to the library, so concurrent uses are all counted. A file outside the index is ignored.
   */
  async recordUse(absolutePath: string): Promise<void> {
    const entry = this.indexed(absolutePath);
    if (!entry) return;
    await this.catalog.store.updateCompanion(entry, (current) => ({
      ...current,
      usage_count: (typeof current.usage_count === "number" ? current.usage_count : 0) + 1,
      last_used: now(),
    }));
  }

  /** The voice's stored default request parameters ({} when it has none or is not indexed). */
  defaultsFor(absolutePath: string): Record<string, unknown> {
    const value = this.indexed(absolutePath)?.companion?.default_parameters;
    return typeof value === "object" && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : {};
  }

  private indexed(absolutePath: string): IndexedFile | undefined {
    const path = relative(this.catalog.store.root, absolutePath).split(sep).join("/");
    return path.startsWith("..") ? undefined : this.catalog.store.get(path);
  }
}

function durationWarnings(seconds: number): string[] {
  if (seconds >= RECOMMENDED_SECONDS.min && seconds <= RECOMMENDED_SECONDS.max) return [];
  const side = seconds < RECOMMENDED_SECONDS.min ? "shorter" : "longer";
  return [
    `the voice is ${seconds.toFixed(1)} s long, ${side} than the ${RECOMMENDED_SECONDS.min}–${RECOMMENDED_SECONDS.max} s ` +
      "that clone best; it was stored anyway",
  ];
}
