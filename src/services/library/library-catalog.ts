/**
 * What every library offers the same way: listing from the index, folder views, finding one file by name,
 * single and bulk deletes with the fixed semantics of spec §4.5 (a name addresses exactly one file; a bulk
 * delete in outputs and VC inputs also removes the folders it empties; voices keep empty folders, which
 * users treat as categories). Every bulk delete goes to the audit log, with who asked, the criteria and how
 * many files went.
 */
import { IndexBuildingError } from "../../domain/errors.js";
import type { AuditRecorder } from "../auth/audit-log.js";
import type { IndexedFile, LibraryKind } from "../../storage/library/library-entry.js";
import type { LibraryQuery } from "../../storage/library/library-index.js";
import type { FolderView, LibraryStore } from "../../storage/library/library-store.js";

export interface DeleteReport {
  /** Paths relative to the library's root: audio files and their companions. */
  deletedFiles: string[];
  /** Audio files deleted (companions not counted). */
  deletedCount: number;
  foldersRemoved: number;
}

type BulkQuery = Omit<LibraryQuery, "page" | "pageSize">;

/** Until a library's first full walk, listings would miss files: clients are asked to come back. */
const INDEX_RETRY_AFTER_SECONDS = 5;

export class LibraryCatalog {
  constructor(
    readonly store: LibraryStore,
    private readonly audit: AuditRecorder,
  ) {}

  get kind(): LibraryKind {
    return this.store.kind;
  }

  list(query: LibraryQuery): { items: IndexedFile[]; total: number } {
    this.requireIndex();
    return this.store.query(query);
  }

  folders(): FolderView[] {
    this.requireIndex();
    return this.store.folders();
  }

  find(ref: string): Promise<IndexedFile> {
    this.requireIndex();
    return this.store.find(ref);
  }

  async deleteOne(ref: string): Promise<DeleteReport> {
    const entry = await this.find(ref);
    const deletedFiles = await this.store.remove(entry);
    return { deletedFiles, deletedCount: 1, foldersRemoved: 0 };
  }

  /**
   * Deletes every match of `query` (criteria combined with AND) for `actor` (a key id, or `anonymous`). The
   * audit entry is written even when a deletion fails halfway, with what was deleted until then.
   */
  async deleteMany(query: BulkQuery, actor: string): Promise<DeleteReport> {
    const { items } = this.list(query);
    const report: DeleteReport = { deletedFiles: [], deletedCount: 0, foldersRemoved: 0 };
    let complete = false;
    try {
      for (const entry of items) {
        report.deletedFiles.push(...(await this.store.remove(entry)));
        report.deletedCount += 1;
      }
      const cleanFolders = this.kind !== "voices" && items.length > 0;
      if (cleanFolders) report.foldersRemoved = await this.removeEmptiedFolders(query.folder, items);
      complete = true;
      return report;
    } finally {
      this.auditBulkDelete(actor, query, { ...report, complete });
    }
  }

  private auditBulkDelete(actor: string, query: BulkQuery, done: DeleteReport & { complete: boolean }): void {
    const { deletedCount, foldersRemoved, complete } = done;
    this.audit.record({
      actor,
      action: "library.bulk_delete",
      target: this.kind,
      detail: { criteria: criteriaOf(query), deleted_count: deletedCount, folders_removed: foldersRemoved, complete },
    });
  }

  /**
   * The requested folder goes with its empty descendants; without a folder criterion only the folders that
   * held deleted files and are empty now go (never the root).
   */
  private async removeEmptiedFolders(folder: string | undefined, deleted: IndexedFile[]): Promise<number> {
    if (folder) return this.store.removeEmptyFolders(folder, { descendants: true });
    let removed = 0;
    const emptied = [...new Set(deleted.map((entry) => entry.folder))].filter((f) => f !== "");
    for (const path of emptied) removed += await this.store.removeEmptyFolders(path, { descendants: false });
    return removed;
  }

  private requireIndex(): void {
    if (!this.store.ready) {
      throw new IndexBuildingError(
        `The ${this.kind.replace("_", " ")} index is being built from the files on disk; try again shortly`,
        INDEX_RETRY_AFTER_SECONDS,
      );
    }
  }
}

/** The criteria under their query parameter names (`project` as `folder`, dates in ISO 8601); `{}` is `all=true`. */
function criteriaOf(query: BulkQuery): Record<string, unknown> {
  const date = (ms: number | undefined) => (ms === undefined ? undefined : new Date(ms).toISOString());
  const criteria = {
    folder: query.folder,
    search: query.search,
    tag: query.tag,
    generation_type: query.generationType,
    filenames: query.filenames,
    date_from: date(query.createdFrom),
    date_to: date(query.createdTo),
  };
  return Object.fromEntries(Object.entries(criteria).filter(([, value]) => value !== undefined));
}
