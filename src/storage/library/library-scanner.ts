/**
 * Keeps the index in step with one library folder on disk. A full scan at start walks everything but only
 * reads the companions of files whose size, modification time or companion changed since they were indexed,
 * so a warm start re-reads nothing. A rescan looks only inside folders whose modification time changed
 * (adding, removing or renaming an entry changes it, which includes files written by rename, as editors and
 * our own atomic writes do), so it is cheap enough to run every few seconds. A file rewritten in place leaves
 * its folder's mtime alone: only a full scan notices it (library.ts runs one now and then). File system
 * calls are synchronous per folder (much faster than one promise per stat), yielding between folders.
 */
import { lstatSync, readdirSync, realpathSync, statSync, type Stats } from "node:fs";
import { join } from "node:path";
import { setImmediate as yieldToEventLoop } from "node:timers/promises";
import type { Logger } from "../../logging.js";
import { companionPath, readCompanion } from "./companion.js";
import {
  AUDIO_EXTENSIONS,
  buildEntry,
  companionAudioFacts,
  extensionOf,
  splitPath,
  type AudioFacts,
  type DiskFile,
  type LibraryKind,
} from "./library-entry.js";
import type { FileStamp, LibraryIndex } from "./library-index.js";

/** Measures an audio file the companion says nothing about; null facts when it cannot. */
export type AudioProber = (absolutePath: string) => Promise<AudioFacts & { warning?: string }>;

export interface ScannerOptions {
  kind: LibraryKind;
  root: string;
  index: LibraryIndex;
  probe: AudioProber;
  log: Logger;
}

export interface ScanReport {
  foldersVisited: number;
  filesIndexed: number;
  filesRemoved: number;
  durationMs: number;
}

/** What one folder holds right now. */
interface FolderListing {
  folder: string;
  mtimeMs: number;
  files: DiskFile[];
  subfolders: string[];
}

/** Probes run this many at a time: ffprobe processes are cheap but not free. */
const PROBE_CONCURRENCY = 4;
/** Rows written per transaction. */
const BATCH_SIZE = 500;

const join2 = (folder: string, name: string): string => (folder ? `${folder}/${name}` : name);

export class LibraryScanner {
  constructor(private readonly options: ScannerOptions) {}

  /** Walks the whole library and makes the index match it. */
  async fullScan(): Promise<ScanReport> {
    const started = performance.now();
    const { index, kind } = this.options;
    const stamps = index.stamps(kind);
    const knownFolders = index.folderStamps(kind);
    const report = await this.walk([""], stamps, knownFolders);
    for (const path of stamps.keys()) this.options.index.remove(kind, path);
    for (const folder of knownFolders.keys()) index.removeFolder(kind, folder);
    index.recordFullScan(kind, Date.now());
    return { ...report, filesRemoved: report.filesRemoved + stamps.size, durationMs: performance.now() - started };
  }

  /** Re-lists only the folders whose modification time changed since they were indexed. */
  async rescan(): Promise<ScanReport> {
    const started = performance.now();
    const { index, kind } = this.options;
    const known = index.folderStamps(kind);
    const changed = [...known].filter(([folder, mtimeMs]) => this.folderMtime(folder) !== mtimeMs).map(([f]) => f);
    const report: ScanReport = { foldersVisited: 0, filesIndexed: 0, filesRemoved: 0, durationMs: 0 };
    for (const folder of changed) {
      if (this.folderMtime(folder) === undefined) {
        index.removeFolder(kind, folder);
        continue;
      }
      const stamps = this.directStamps(folder);
      // Known subfolders are checked on their own; only new ones are walked from here.
      const walked = await this.walk([folder], stamps, known, { descendKnown: false });
      for (const path of stamps.keys()) index.remove(kind, path);
      report.foldersVisited += walked.foldersVisited;
      report.filesIndexed += walked.filesIndexed;
      report.filesRemoved += stamps.size;
    }
    return { ...report, durationMs: performance.now() - started };
  }

  /** Indexes one file now (after the API wrote it), or drops it when it is gone; keeps its folders known. */
  async indexFile(path: string): Promise<void> {
    const { index, kind } = this.options;
    const { folder, filename } = splitPath(path);
    // Only audio is indexed, as by the walk: captions published beside an output stay plain files.
    const file = AUDIO_EXTENSIONS.has(extensionOf(filename)) ? this.diskFile(folder, filename) : undefined;
    if (!file) return index.remove(kind, path);
    const [entry] = await this.entries([file]);
    index.batch(() => {
      if (entry) index.upsert(kind, entry);
      this.noteFolderChain(folder);
    });
  }

  /** Records `folder` and every folder above it with their current modification times. */
  noteFolderChain(folder: string): void {
    const parts = folder === "" ? [] : folder.split("/");
    for (let depth = 0; depth <= parts.length; depth += 1) {
      const path = parts.slice(0, depth).join("/");
      const mtimeMs = this.folderMtime(path);
      if (mtimeMs !== undefined) this.options.index.upsertFolder(this.options.kind, path, mtimeMs);
    }
  }

  /**
   * Walks from `start`, indexing new and changed files. Found files and folders are deleted from `stamps`
   * and `knownFolders`, so what remains there afterwards is gone from disk.
   */
  private async walk(
    start: string[],
    stamps: Map<string, FileStamp>,
    knownFolders: Map<string, number>,
    { descendKnown = true } = {},
  ): Promise<ScanReport> {
    const queue = [...start];
    let foldersVisited = 0;
    let filesIndexed = 0;
    let changed: DiskFile[] = [];
    for (let folder = queue.shift(); folder !== undefined; folder = queue.shift()) {
      const listing = this.listFolder(folder);
      if (!listing) continue;
      foldersVisited += 1;
      knownFolders.delete(folder);
      this.options.index.upsertFolder(this.options.kind, folder, listing.mtimeMs);
      queue.push(...listing.subfolders.filter((sub) => descendKnown || !knownFolders.has(sub)));
      for (const file of listing.files) {
        if (!isUnchanged(stamps.get(file.path), file, this.companionMtime(file))) changed.push(file);
        stamps.delete(file.path);
      }
      if (changed.length >= BATCH_SIZE) {
        filesIndexed += await this.store(changed);
        changed = [];
      }
      await yieldToEventLoop();
    }
    filesIndexed += await this.store(changed);
    return { foldersVisited, filesIndexed, filesRemoved: 0, durationMs: 0 };
  }

  private async store(files: DiskFile[]): Promise<number> {
    if (files.length === 0) return 0;
    const entries = await this.entries(files);
    this.options.index.batch(() => entries.forEach((entry) => this.options.index.upsert(this.options.kind, entry)));
    return entries.length;
  }

  /** Index rows for `files`: companion read, and a probe where the companion lacks the audio facts. */
  private async entries(files: DiskFile[]) {
    const { kind, root, probe } = this.options;
    const work = files.map((file) => ({ file, companion: readCompanion(join(root, file.path)) }));
    const results = await mapLimit(work, PROBE_CONCURRENCY, async ({ file, companion }) => {
      const known = companionAudioFacts(kind, companion.data);
      const needsProbe = file.sizeBytes > 0 && (known.durationSeconds === null || known.sampleRate === null);
      const probed = needsProbe ? await probe(join(root, file.path)) : { durationSeconds: null, sampleRate: null };
      const warning = companion.warning ?? probed.warning ?? null;
      return buildEntry(kind, file, { ...companion, warning }, probed);
    });
    return results;
  }

  private listFolder(folder: string): FolderListing | undefined {
    const absolute = join(this.options.root, folder);
    let names: string[];
    let mtimeMs: number;
    try {
      mtimeMs = statSync(absolute).mtimeMs;
      names = readdirSync(absolute);
    } catch {
      return undefined; // removed while we looked: the caller treats it as gone
    }
    const files: DiskFile[] = [];
    const subfolders: string[] = [];
    for (const name of names) {
      if (name.startsWith(".")) continue; // hidden files, and our own half-written `.x.partial` files
      const stats = this.entryStats(join(absolute, name));
      if (stats?.isDirectory()) subfolders.push(join2(folder, name));
      else if (stats?.isFile() && AUDIO_EXTENSIONS.has(extensionOf(name))) files.push(toDiskFile(folder, name, stats));
    }
    return { folder, mtimeMs, files, subfolders };
  }

  private diskFile(folder: string, filename: string): DiskFile | undefined {
    const stats = this.entryStats(join(this.options.root, folder, filename));
    return stats?.isFile() ? toDiskFile(folder, filename, stats) : undefined;
  }

  /**
   * What an entry is, following a symbolic link only to a file inside the root: a linked folder could loop
   * back on itself, and a link out of the root names a file the API would refuse to serve anyway.
   */
  private entryStats(path: string): Stats | undefined {
    const own = lstatOrUndefined(path);
    if (!own?.isSymbolicLink()) return own;
    const target = statOrUndefined(path);
    if (!target?.isFile()) return undefined;
    const real = realpathOrUndefined(path);
    const root = realpathOrUndefined(this.options.root);
    return real && root && real.startsWith(`${root}/`) ? target : undefined;
  }

  /** Stamps of the files directly in `folder` (not below it). */
  private directStamps(folder: string): Map<string, FileStamp> {
    const all = this.options.index.stamps(this.options.kind, folder);
    return new Map([...all].filter(([path]) => splitPath(path).folder === folder));
  }

  private companionMtime(file: DiskFile): number | null {
    return statOrUndefined(companionPath(join(this.options.root, file.path)))?.mtimeMs ?? null;
  }

  private folderMtime(folder: string): number | undefined {
    const stats = statOrUndefined(join(this.options.root, folder));
    return stats?.isDirectory() ? stats.mtimeMs : undefined;
  }
}

function isUnchanged(stamp: FileStamp | undefined, file: DiskFile, companionMtimeMs: number | null): boolean {
  return (
    stamp !== undefined &&
    stamp.sizeBytes === file.sizeBytes &&
    stamp.mtimeMs === file.mtimeMs &&
    stamp.companionMtimeMs === companionMtimeMs
  );
}

function statOrUndefined(path: string): Stats | undefined {
  try {
    return statSync(path);
  } catch {
    return undefined;
  }
}

function lstatOrUndefined(path: string): Stats | undefined {
  try {
    return lstatSync(path);
  } catch {
    return undefined;
  }
}

function realpathOrUndefined(path: string): string | undefined {
  try {
    return realpathSync(path);
  } catch {
    return undefined;
  }
}

function toDiskFile(folder: string, filename: string, stats: Stats): DiskFile {
  return {
    path: join2(folder, filename),
    folder,
    filename,
    format: extensionOf(filename),
    sizeBytes: stats.size,
    mtimeMs: stats.mtimeMs,
    createdMs: stats.birthtimeMs > 0 ? stats.birthtimeMs : stats.ctimeMs,
  };
}

/** Maps with at most `limit` calls of `fn` running at once, keeping the order of `items`. */
async function mapLimit<T, R>(items: T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    for (let i = next++; i < items.length; i = next++) results[i] = await fn(items[i] as T);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
