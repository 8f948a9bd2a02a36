/**
 * What maintenance reads from the library index: the 0-byte files, and every file's size and age. The
 * index offers no size filter or total, so both page through its ordinary query: sorted by size ascending
 * and stopping at the first non-empty file, or over everything by creation date. The queries are
 * synchronous and a loop of them never awaits, so no change of the index interleaves between pages.
 */
import { IndexBuildingError } from "../../domain/errors.js";
import type { IndexedFile } from "../../storage/library/library-entry.js";
import type { LibraryQuery } from "../../storage/library/library-index.js";
import type { LibraryStore } from "../../storage/library/library-store.js";
import { DIRECTORY_NAMES } from "./cleanup-report.js";
import type { FileFacts } from "./selection.js";

const PAGE_SIZE = 1000;
/** As for listings: the first walk of a library takes seconds to minutes. */
const INDEX_RETRY_AFTER_SECONDS = 5;

export interface LibraryUsage {
  sizeBytes: number;
  fileCount: number;
}

/** Maintenance decides from the index, so it waits like listings do until each library was walked once. */
export function requireReadyIndex(stores: readonly LibraryStore[]): void {
  const building = stores.filter((store) => !store.ready).map((store) => `${DIRECTORY_NAMES[store.kind]}/`);
  if (building.length > 0) {
    throw new IndexBuildingError(
      `The library index of ${building.join(", ")} is being built from the files on disk; try again shortly`,
      INDEX_RETRY_AFTER_SECONDS,
    );
  }
}

/** Every indexed 0-byte audio file, and how many files the library holds. */
export function zeroByteFiles(store: LibraryStore): { files: IndexedFile[]; total: number } {
  const files: IndexedFile[] = [];
  for (let page = 1; ; page += 1) {
    const { items, total } = store.query({ sortBy: "size", sortOrder: "asc", page, pageSize: PAGE_SIZE });
    const empty = items.filter((entry) => entry.sizeBytes === 0);
    files.push(...empty);
    if (empty.length < items.length || items.length < PAGE_SIZE) return { files, total };
  }
}

/** Path, size and modification time of every indexed audio file. */
export function indexedFacts(store: LibraryStore): FileFacts[] {
  const facts: FileFacts[] = [];
  forEachPage(store, (entry) => facts.push({ path: entry.path, sizeBytes: entry.sizeBytes, mtimeMs: entry.mtimeMs }));
  return facts;
}

/** The audio files' total size and count (companions are not in the index and not counted). */
export function libraryUsage(store: LibraryStore): LibraryUsage {
  const usage: LibraryUsage = { sizeBytes: 0, fileCount: 0 };
  forEachPage(store, (entry) => {
    usage.sizeBytes += entry.sizeBytes;
    usage.fileCount += 1;
  });
  return usage;
}

/** Visits every row a page at a time, so a large library is never held whole. */
function forEachPage(store: LibraryStore, visit: (entry: IndexedFile) => void): void {
  const query: LibraryQuery = { sortBy: "created_date", sortOrder: "asc", pageSize: PAGE_SIZE };
  for (let page = 1; ; page += 1) {
    const { items } = store.query({ ...query, page });
    items.forEach(visit);
    if (items.length < PAGE_SIZE) return;
  }
}
