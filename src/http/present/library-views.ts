/**
 * The JSON shapes of the library endpoints (spec §3.4–§3.16, with its missing fields added): one item shape
 * per library, the pagination envelope, folder views and delete reports.
 */
import type { DeleteReport } from "../../services/library/library-catalog.js";
import { voiceDescription, type IndexedFile, type LibraryKind } from "../../storage/library/library-entry.js";
import type { FolderView } from "../../storage/library/library-store.js";

type Json = Record<string, unknown>;

function isoDate(value: unknown, fallbackMs: number): string {
  return typeof value === "string" && !Number.isNaN(Date.parse(value)) ? value : new Date(fallbackMs).toISOString();
}

function objectField(companion: Json | null, field: string): Json {
  const value = companion?.[field];
  return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Json) : {};
}

/** Facts every library item shares. */
function fileFacts(entry: IndexedFile): Json {
  return {
    filename: entry.filename,
    path: entry.path,
    folder_path: entry.folder === "" ? null : entry.folder,
    format: entry.format,
    file_size_bytes: entry.sizeBytes,
    duration_seconds: entry.durationSeconds,
    sample_rate: entry.sampleRate,
    // Uploads record `created_date`, generated outputs `created_at`; the file's own time otherwise.
    created_date: isoDate(entry.companion?.created_date ?? entry.companion?.created_at, entry.createdMs),
    ...(entry.warning ? { warning: entry.warning } : {}),
  };
}

/** VoiceMetadata; `url` is what `reference_audio_filename` takes. */
export function voiceView(entry: IndexedFile): Json {
  const c = entry.companion;
  return {
    name: entry.name,
    ...fileFacts(entry),
    url: entry.path,
    description: voiceDescription(entry),
    default_parameters: objectField(c, "default_parameters"),
    tags: entry.tags,
    usage_count: entry.usageCount,
    last_used: entry.lastUsed,
    uploaded_date: typeof c?.uploaded_date === "string" ? c.uploaded_date : null,
    last_updated: typeof c?.last_updated === "string" ? c.last_updated : null,
  };
}

export function vcInputView(entry: IndexedFile): Json {
  const c = entry.companion;
  return {
    ...fileFacts(entry),
    text: typeof c?.text === "string" ? c.text : null,
    text_source: c?.text_source === "client" || c?.text_source === "speech_recognition" ? c.text_source : null,
    upload_date: typeof c?.upload_date === "string" ? c.upload_date : null,
  };
}

/** GeneratedFileMetadata, with the parameters from the file's companion (which the original never found). */
export function outputView(entry: IndexedFile): Json {
  const c = entry.companion;
  const urlPath = entry.path.split("/").map(encodeURIComponent).join("/");
  return {
    ...fileFacts(entry),
    url: `/outputs/${urlPath}`,
    generation_type: entry.generationType ?? "unknown",
    parameters: objectField(c, "parameters"),
    source_files: Array.isArray(c?.source_files) ? c.source_files : [],
  };
}

export const ITEM_VIEWS: Record<LibraryKind, (entry: IndexedFile) => Json> = {
  voices: voiceView,
  vc_inputs: vcInputView,
  outputs: outputView,
};

/** The list key and total key of each library's listing (spec §3.4, §3.11, §3.14). */
const LIST_KEYS: Record<LibraryKind, { items: string; total: string }> = {
  voices: { items: "voices", total: "total_voices" },
  vc_inputs: { items: "files", total: "total_files" },
  outputs: { items: "files", total: "total_files" },
};

export function listingView(
  kind: LibraryKind,
  page: { items: IndexedFile[]; total: number },
  paging: { page: number; pageSize: number },
): Json {
  const totalPages = Math.max(1, Math.ceil(page.total / paging.pageSize));
  const keys = LIST_KEYS[kind];
  return {
    [keys.items]: page.items.map(ITEM_VIEWS[kind]),
    count: page.items.length,
    page: paging.page,
    page_size: paging.pageSize,
    total_pages: totalPages,
    has_next: paging.page < totalPages,
    has_previous: paging.page > 1,
    [keys.total]: page.total,
  };
}

/**
 * Every folder ('root' for the library's root) with its direct file count and immediate subfolders. The
 * count is `voice_count` in every library, as the original named it; `file_count` says the same.
 */
export function foldersView(folders: FolderView[]): Json {
  const total = folders.reduce((sum, folder) => sum + folder.fileCount, 0);
  return {
    folders: folders.map((folder) => ({
      path: folder.path === "" ? "root" : folder.path,
      voice_count: folder.fileCount,
      file_count: folder.fileCount,
      subfolders: folder.subfolders,
    })),
    total_folders: folders.length,
    total_voices: total,
    total_files: total,
  };
}

export function deletionView(report: DeleteReport, what: string): Json {
  const folders = report.foldersRemoved > 0 ? ` and removed ${report.foldersRemoved} empty folder(s)` : "";
  return {
    success: true,
    message: `Deleted ${report.deletedCount} ${what}(s)${folders}`,
    deleted_files: report.deletedFiles,
    deleted_count: report.deletedCount,
    folders_removed: report.foldersRemoved,
  };
}
