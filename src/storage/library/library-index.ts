/**
 * The library index in SQLite: rows of every audio file of the three libraries and their folders, and the
 * queries listings need (filters, substring search over trigrams, sorting, pagination, folder counts).
 * It is only ever a reflection of the files on disk (see library-scanner.ts); writes go through here.
 */
import type { Db } from "../db/database.js";
import { searchTextOf, type IndexedFile, type LibraryKind } from "./library-entry.js";

export type SortField = "name" | "created_date" | "duration" | "usage_count" | "last_used" | "filename" | "size";
export type SortOrder = "asc" | "desc";

/** A listing request; every given filter must hold (AND). */
export interface LibraryQuery {
  /** Hierarchical: this folder or any below it ('' = the whole library). */
  folder?: string | undefined;
  /** Case-insensitive substring of the library's search text. */
  search?: string | undefined;
  tag?: string | undefined;
  generationType?: string | undefined;
  /** Exact relative paths or bare file names. */
  filenames?: readonly string[] | undefined;
  /** Creation time bounds, epoch milliseconds, inclusive. */
  createdFrom?: number | undefined;
  createdTo?: number | undefined;
  sortBy: SortField;
  sortOrder: SortOrder;
  /** 1-based; with `pageSize`. Omitted: every match. */
  page?: number | undefined;
  pageSize?: number | undefined;
}

/** A folder with the number of audio files directly in it. */
export interface FolderCount {
  path: string;
  fileCount: number;
}

/** The facts that tell a rescan whether a file changed since it was indexed. */
export interface FileStamp {
  sizeBytes: number;
  mtimeMs: number;
  companionMtimeMs: number | null;
}

interface Row {
  path: string;
  folder: string;
  filename: string;
  format: string;
  size_bytes: number;
  mtime_ms: number;
  created_ms: number;
  companion_mtime_ms: number | null;
  companion: string | null;
  warning: string | null;
  duration_seconds: number | null;
  sample_rate: number | null;
  name: string;
  generation_type: string | null;
  tags: string;
  usage_count: number;
  last_used: string | null;
}

const SORT_COLUMNS: Record<SortField, string> = {
  name: "name COLLATE NOCASE",
  created_date: "created_ms",
  duration: "duration_seconds",
  usage_count: "usage_count",
  last_used: "last_used",
  filename: "filename COLLATE NOCASE",
  size: "size_bytes",
};

/**
 * `column = F` or below F, as one range the index can use: [F, F + '0') holds F, F/… ('0' follows '/') and
 * names such as F-x or F.x, which the second check leaves out. Takes the parameters of {@link underParams}.
 */
const under = (column: string): string => `(${column} >= ? AND ${column} < ? AND (${column} = ? OR ${column} >= ?))`;
const underParams = (folder: string): string[] => [folder, `${folder}0`, folder, `${folder}/`];

/** Columns that may be NULL (never used, not yet measured): they sort last either way. */
const NULLABLE_SORTS: ReadonlySet<SortField> = new Set(["duration", "last_used"]);

/** ORDER BY of a query; the path breaks ties so pages are stable. */
function orderBy(query: LibraryQuery): string {
  const direction = query.sortOrder === "asc" ? "ASC" : "DESC";
  const column = SORT_COLUMNS[query.sortBy];
  const nullsLast = NULLABLE_SORTS.has(query.sortBy) ? `${column} IS NULL, ` : "";
  return `${nullsLast}${column} ${direction}, path ${direction}`;
}

function fromRow(row: Row): IndexedFile {
  return {
    path: row.path,
    folder: row.folder,
    filename: row.filename,
    format: row.format,
    sizeBytes: row.size_bytes,
    mtimeMs: row.mtime_ms,
    createdMs: row.created_ms,
    companionMtimeMs: row.companion_mtime_ms,
    companion: row.companion === null ? null : (JSON.parse(row.companion) as Record<string, unknown>),
    warning: row.warning,
    durationSeconds: row.duration_seconds,
    sampleRate: row.sample_rate,
    name: row.name,
    generationType: row.generation_type,
    tags: JSON.parse(row.tags) as string[],
    usageCount: row.usage_count,
    lastUsed: row.last_used,
  };
}

export class LibraryIndex {
  constructor(private readonly db: Db) {}

  /** Inserts or replaces the row of `entry.path`. */
  upsert(kind: LibraryKind, entry: IndexedFile): void {
    this.db
      .prepare(
        `INSERT INTO library_files (store, path, folder, filename, format, size_bytes, mtime_ms, created_ms,
           companion_mtime_ms, companion, warning, duration_seconds, sample_rate, name, generation_type, tags,
           usage_count, last_used, search_text)
         VALUES (@store, @path, @folder, @filename, @format, @sizeBytes, @mtimeMs, @createdMs, @companionMtimeMs,
           @companion, @warning, @durationSeconds, @sampleRate, @name, @generationType, @tags, @usageCount,
           @lastUsed, @searchText)
         ON CONFLICT (store, path) DO UPDATE SET folder = excluded.folder, filename = excluded.filename,
           format = excluded.format, size_bytes = excluded.size_bytes, mtime_ms = excluded.mtime_ms,
           created_ms = excluded.created_ms, companion_mtime_ms = excluded.companion_mtime_ms,
           companion = excluded.companion, warning = excluded.warning,
           duration_seconds = excluded.duration_seconds, sample_rate = excluded.sample_rate, name = excluded.name,
           generation_type = excluded.generation_type, tags = excluded.tags, usage_count = excluded.usage_count,
           last_used = excluded.last_used, search_text = excluded.search_text`,
      )
      .run({
        ...entry,
        store: kind,
        companion: entry.companion === null ? null : JSON.stringify(entry.companion),
        tags: JSON.stringify(entry.tags),
        searchText: searchTextOf(kind, entry),
      });
  }

  remove(kind: LibraryKind, path: string): void {
    this.db.prepare("DELETE FROM library_files WHERE store = ? AND path = ?").run(kind, path);
  }

  get(kind: LibraryKind, path: string): IndexedFile | undefined {
    const row = this.db.prepare("SELECT * FROM library_files WHERE store = ? AND path = ?").get(kind, path) as
      Row | undefined;
    return row && fromRow(row);
  }

  /** Every file of that name, in any folder, by path. */
  withFilename(kind: LibraryKind, filename: string): IndexedFile[] {
    const rows = this.db
      .prepare("SELECT * FROM library_files WHERE store = ? AND filename = ? ORDER BY path")
      .all(kind, filename) as Row[];
    return rows.map(fromRow);
  }

  /**
   * One page of matches (or all of them) and how many match in total. The page is chosen on ids first and
   * the rows fetched after, so the sort never carries whole rows (companions included) through memory.
   */
  query(kind: LibraryKind, query: LibraryQuery): { items: IndexedFile[]; total: number } {
    const { where, params } = this.conditions(kind, query);
    const total = (
      this.db.prepare(`SELECT count(*) AS n FROM library_files WHERE ${where}`).get(...params) as { n: number }
    ).n;
    const limit = query.page !== undefined && query.pageSize !== undefined ? " LIMIT ? OFFSET ?" : "";
    const paging = limit ? [query.pageSize, ((query.page ?? 1) - 1) * (query.pageSize ?? 0)] : [];
    const ids = this.db
      .prepare(`SELECT id FROM library_files WHERE ${where} ORDER BY ${orderBy(query)}${limit}`)
      .pluck()
      .all(...params, ...paging) as number[];
    return { items: this.rowsById(ids), total };
  }

  /** The rows of `ids`, in the order of `ids`. */
  private rowsById(ids: number[]): IndexedFile[] {
    if (ids.length === 0) return [];
    const rows = this.db
      .prepare(`SELECT * FROM library_files WHERE id IN (${ids.map(() => "?").join(", ")})`)
      .all(...ids) as Array<Row & { id: number }>;
    const byId = new Map(rows.map((row) => [row.id, row]));
    return ids.flatMap((id) => {
      const row = byId.get(id);
      return row ? [fromRow(row)] : [];
    });
  }

  private conditions(kind: LibraryKind, query: LibraryQuery): { where: string; params: unknown[] } {
    // With a search, `+store` keeps the planner from walking a store index when the trigram hits are fewer.
    const clauses = [query.search ? "+store = ?" : "store = ?"];
    const params: unknown[] = [kind];
    const add = (clause: string, ...values: unknown[]): void => {
      clauses.push(clause);
      params.push(...values);
    };
    if (query.folder) add(under("folder"), ...underParams(query.folder));
    if (query.search) {
      // FTS5 answers LIKE from its trigrams only without ESCAPE; instr() then keeps `%` and `_` literal.
      const term = query.search.toLowerCase();
      add(
        "id IN (SELECT rowid FROM library_search WHERE search_text LIKE ?) AND instr(search_text, ?) > 0",
        `%${term}%`,
        term,
      );
    }
    if (query.tag !== undefined) add("EXISTS (SELECT 1 FROM json_each(tags) WHERE value = ?)", query.tag);
    if (query.generationType !== undefined) add("generation_type = ?", query.generationType);
    if (query.createdFrom !== undefined) add("created_ms >= ?", query.createdFrom);
    if (query.createdTo !== undefined) add("created_ms <= ?", query.createdTo);
    if (query.filenames !== undefined) {
      const names = [...query.filenames];
      const marks = names.map(() => "?").join(", ");
      // Two indexed lookups (path, then bare name) instead of one OR that no index serves.
      add(
        `id IN (SELECT id FROM library_files WHERE store = ? AND path IN (${marks})
           UNION SELECT id FROM library_files WHERE store = ? AND filename IN (${marks}))`,
        kind,
        ...names,
        kind,
        ...names,
      );
    }
    return { where: clauses.join(" AND "), params };
  }

  /** How many files the library holds. */
  count(kind: LibraryKind): number {
    return (this.db.prepare("SELECT count(*) AS n FROM library_files WHERE store = ?").get(kind) as { n: number }).n;
  }

  /** Change stamps of every indexed file, for a rescan to compare with the disk. */
  stamps(kind: LibraryKind, underFolder = ""): Map<string, FileStamp> {
    const { where, params } = this.conditions(kind, { folder: underFolder, sortBy: "name", sortOrder: "asc" });
    const rows = this.db
      .prepare(`SELECT path, size_bytes, mtime_ms, companion_mtime_ms FROM library_files WHERE ${where}`)
      .all(...params) as Array<Pick<Row, "path" | "size_bytes" | "mtime_ms" | "companion_mtime_ms">>;
    return new Map(
      rows.map((r) => [
        r.path,
        { sizeBytes: r.size_bytes, mtimeMs: r.mtime_ms, companionMtimeMs: r.companion_mtime_ms },
      ]),
    );
  }

  /** Every folder with its direct file count, root first, then by path. */
  folders(kind: LibraryKind): FolderCount[] {
    const rows = this.db
      .prepare(
        `SELECT f.path AS path, (SELECT count(*) FROM library_files l WHERE l.store = f.store AND l.folder = f.path)
           AS fileCount FROM library_folders f WHERE f.store = ? ORDER BY f.path = '' DESC, f.path`,
      )
      .all(kind) as FolderCount[];
    return rows;
  }

  /** Folder modification times, for a rescan to find the folders whose entries changed. */
  folderStamps(kind: LibraryKind): Map<string, number> {
    const rows = this.db.prepare("SELECT path, mtime_ms FROM library_folders WHERE store = ?").all(kind) as Array<{
      path: string;
      mtime_ms: number;
    }>;
    return new Map(rows.map((r) => [r.path, r.mtime_ms]));
  }

  upsertFolder(kind: LibraryKind, path: string, mtimeMs: number): void {
    this.db
      .prepare(
        `INSERT INTO library_folders (store, path, mtime_ms) VALUES (?, ?, ?)
         ON CONFLICT (store, path) DO UPDATE SET mtime_ms = excluded.mtime_ms`,
      )
      .run(kind, path, mtimeMs);
  }

  /** Forgets a folder and everything indexed below it (it is gone from disk). */
  removeFolder(kind: LibraryKind, path: string): void {
    this.db.prepare(`DELETE FROM library_folders WHERE store = ? AND ${under("path")}`).run(kind, ...underParams(path));
    this.db.prepare(`DELETE FROM library_files WHERE store = ? AND ${under("folder")}`).run(kind, ...underParams(path));
  }

  /** When the library was last walked completely, or undefined if never: the index is then incomplete. */
  lastFullScan(kind: LibraryKind): number | undefined {
    const row = this.db.prepare("SELECT completed_ms FROM library_scans WHERE store = ?").get(kind) as
      { completed_ms: number } | undefined;
    return row?.completed_ms;
  }

  recordFullScan(kind: LibraryKind, completedMs: number): void {
    this.db
      .prepare(
        `INSERT INTO library_scans (store, completed_ms) VALUES (?, ?)
         ON CONFLICT (store) DO UPDATE SET completed_ms = excluded.completed_ms`,
      )
      .run(kind, completedMs);
  }

  /** Runs `work` in one transaction: many writes commit at once and readers never see half of them. */
  batch<T>(work: () => T): T {
    return this.db.transaction(work)();
  }
}
