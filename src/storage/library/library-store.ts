/**
 * One library folder (reference_audio/, vc_inputs/ or outputs/): its index queries and every change to its
 * files. Changes run one at a time under the library's lock, so read-modify-write steps (usage counts,
 * moves, name checks) never interleave, and each one updates the index as it happens. Every client path is
 * confined to the root (confine.ts); a name addresses exactly one file or the request fails.
 */
import { mkdir, rename, rm, rmdir, stat } from "node:fs/promises";
import { join } from "node:path";
import { ConflictError, NotFoundError } from "../../domain/errors.js";
import { copyFileNoClobber, replaceFile } from "../atomic-write.js";
import { resolveInside } from "../confine.js";
import { Mutex } from "../mutex.js";
import { companionPath, readCompanion, writeCompanion } from "./companion.js";
import { splitPath, type IndexedFile, type LibraryKind } from "./library-entry.js";
import type { LibraryIndex, LibraryQuery } from "./library-index.js";
import type { LibraryScanner } from "./library-scanner.js";

/** A folder with its direct file count and its immediate subfolders. */
export interface FolderView {
  path: string;
  fileCount: number;
  subfolders: string[];
}

/** A new file for the library: a finished file elsewhere (it is copied, not moved) and its companion. */
export interface NewFile {
  sourcePath: string;
  /** Confined relative folder, '' for the root. */
  folder: string;
  filename: string;
  overwrite: boolean;
  companion: Record<string, unknown>;
}

export interface LibraryStoreOptions {
  kind: LibraryKind;
  root: string;
  index: LibraryIndex;
  scanner: LibraryScanner;
}

export class LibraryStore {
  readonly kind: LibraryKind;
  readonly root: string;
  private readonly index: LibraryIndex;
  private readonly scanner: LibraryScanner;
  private readonly lock = new Mutex();

  constructor(options: LibraryStoreOptions) {
    this.kind = options.kind;
    this.root = options.root;
    this.index = options.index;
    this.scanner = options.scanner;
  }

  /** True once the library was walked completely at least once: before that, listings would be partial. */
  get ready(): boolean {
    return this.index.lastFullScan(this.kind) !== undefined;
  }

  query(query: LibraryQuery): { items: IndexedFile[]; total: number } {
    return this.index.query(this.kind, query);
  }

  /** The indexed file at exactly `path` (relative, as stored), if any. */
  get(path: string): IndexedFile | undefined {
    return this.index.get(this.kind, path);
  }

  /** Runs `work` under the library's lock, e.g. a scan, so no change of ours interleaves with it. */
  exclusive<T>(work: () => Promise<T>): Promise<T> {
    return this.lock.run(work);
  }

  /**
   * The one file `ref` names: a relative path (`a/b/x.wav`, or `x.wav` at the root), else a bare name
   * that exactly one file in any folder has.
   * @throws BadRequestError for a path leaving the root, NotFoundError, ConflictError when ambiguous
   */
  async find(ref: string, field = "path"): Promise<IndexedFile> {
    const { relative } = await resolveInside(this.root, ref, field);
    const exact = this.index.get(this.kind, relative);
    const candidates = exact ? [exact] : relative.includes("/") ? [] : this.index.withFilename(this.kind, relative);
    if (candidates.length > 1) {
      throw new ConflictError(
        `'${ref}' names ${candidates.length} files; give the folder too`,
        candidates.map((c) => c.path).join(", "),
      );
    }
    const [found] = candidates;
    if (!found || !(await this.stillThere(found))) throw new NotFoundError(`File not found: ${ref}`);
    return found;
  }

  /** The absolute path of an indexed file. */
  absolutePath(entry: IndexedFile): string {
    return join(this.root, entry.path);
  }

  /** Every folder (empty ones too), root first, each with its file count and immediate subfolders. */
  folders(): FolderView[] {
    const counts = this.index.folders(this.kind);
    const children = new Map<string, string[]>(counts.map((f) => [f.path, []]));
    for (const { path } of counts) {
      if (path !== "") children.get(splitPath(path).folder)?.push(path);
    }
    return counts.map((f) => ({ path: f.path, fileCount: f.fileCount, subfolders: children.get(f.path) ?? [] }));
  }

  /** Stores `file`; without `overwrite` an existing name is a ConflictError and nothing changes. */
  save(file: NewFile): Promise<IndexedFile> {
    return this.lock.run(async () => {
      const relative = file.folder ? `${file.folder}/${file.filename}` : file.filename;
      const { absolute } = await resolveInside(this.root, relative, "folder_path");
      await this.mkdirs(file.folder);
      if (file.overwrite) await replaceFile(file.sourcePath, absolute);
      else if (!(await copyFileNoClobber(file.sourcePath, absolute))) {
        throw new ConflictError(`'${relative}' already exists; send overwrite=true to replace it`);
      }
      await writeCompanion(absolute, file.companion);
      return this.reindex(relative);
    });
  }

  /**
   * Rewrites the companion of `entry` from what is on disk now (an edit made by hand since the last scan is
   * kept, not overwritten with the index's older copy); returns the updated entry.
   */
  updateCompanion(
    entry: IndexedFile,
    update: (current: Record<string, unknown>) => Record<string, unknown>,
  ): Promise<IndexedFile> {
    return this.lock.run(async () => {
      const current = this.index.get(this.kind, entry.path);
      if (!current) throw new NotFoundError(`File not found: ${entry.path}`);
      const onDisk = readCompanion(this.absolutePath(current)).data ?? current.companion ?? {};
      await writeCompanion(this.absolutePath(current), update({ ...onDisk }));
      return this.reindex(current.path);
    });
  }

  /** Moves `entry` and its companion into `folder` (created on demand); an occupied name is a conflict. */
  move(entry: IndexedFile, folder: string): Promise<IndexedFile> {
    return this.lock.run(async () => {
      const target = folder ? `${folder}/${entry.filename}` : entry.filename;
      if (target === entry.path) return entry;
      const { absolute } = await resolveInside(this.root, target, "folder_path");
      if (await exists(absolute)) throw new ConflictError(`'${target}' already exists; move or rename it first`);
      await this.mkdirs(folder);
      await rename(this.absolutePath(entry), absolute);
      await rename(companionPath(this.absolutePath(entry)), companionPath(absolute)).catch(ignoreMissing);
      this.index.remove(this.kind, entry.path);
      this.scanner.noteFolderChain(entry.folder);
      return this.reindex(target);
    });
  }

  /** Deletes `entry` and its companion; returns the paths (relative to the root) of the files removed. */
  remove(entry: IndexedFile): Promise<string[]> {
    return this.lock.run(async () => {
      const audio = this.absolutePath(entry);
      const removed = [entry.path];
      await rm(audio, { force: true });
      if (await exists(companionPath(audio))) {
        await rm(companionPath(audio), { force: true });
        removed.push(companionPath(entry.path));
      }
      this.index.remove(this.kind, entry.path);
      this.scanner.noteFolderChain(entry.folder);
      return removed;
    });
  }

  /**
   * Removes `folder` when it is empty (never the root), and with `descendants` every empty folder below it
   * first, deepest first. For bulk deletes. Returns how many folders were removed.
   */
  removeEmptyFolders(folder: string, { descendants }: { descendants: boolean }): Promise<number> {
    return this.lock.run(async () => {
      const below = this.folders()
        .map((f) => f.path)
        .filter((path) => path === folder || (descendants && path.startsWith(`${folder}/`)))
        .sort((a, b) => b.length - a.length);
      let removed = 0;
      for (const path of below) {
        if (
          path === "" ||
          !(await rmdir(join(this.root, path)).then(
            () => true,
            () => false,
          ))
        )
          continue;
        this.index.removeFolder(this.kind, path);
        removed += 1;
      }
      this.scanner.noteFolderChain(splitPath(folder).folder);
      return removed;
    });
  }

  /** Indexes files written by other code of the server (TTS outputs), right away. */
  indexNew(paths: readonly string[]): Promise<void> {
    return this.lock.run(async () => {
      for (const path of paths) await this.scanner.indexFile(path);
    });
  }

  /** Creates `folder` and its parents and records them, so empty folders show before a rescan. */
  async ensureFolder(folder: string): Promise<void> {
    await this.lock.run(() => this.mkdirs(folder));
  }

  private async mkdirs(folder: string): Promise<void> {
    await mkdir(join(this.root, folder), { recursive: true });
    this.scanner.noteFolderChain(folder);
  }

  private async reindex(relative: string): Promise<IndexedFile> {
    await this.scanner.indexFile(relative);
    const entry = this.index.get(this.kind, relative);
    if (!entry) throw new NotFoundError(`File not found after writing it: ${relative}`);
    return entry;
  }

  /** Drops an index row whose file was removed behind our back; true when the file is still there. */
  private async stillThere(entry: IndexedFile): Promise<boolean> {
    if (await exists(this.absolutePath(entry))) return true;
    await this.lock.run(() => this.scanner.indexFile(entry.path));
    return false;
  }
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

function ignoreMissing(error: unknown): void {
  if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
}
