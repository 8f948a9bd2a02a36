/**
 * The listing answered the way the original Python server answered it, per request: walk the whole outputs
 * tree, stat every audio file, read every companion for the listing fields, then filter (folder and search
 * too: the original applied them to the full scan), sort by date and cut page 1. It is the baseline of the
 * library benchmark, written plainly; it never opens the audio files, which the original did whenever a
 * companion lacked the duration, so it is faster than the original was. File system calls are synchronous (faster
 * than one promise per call), and only the few fields a listing needs are kept per file, so 100 000 files
 * cost a few megabytes, not 100 000 parsed companions.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";

export interface WalkQuery {
  /** This folder and everything below it. */
  folder?: string;
  /** Case-insensitive substring of the file name or its folder. */
  search?: string;
  sortOrder: "asc" | "desc";
  pageSize: number;
}

export interface WalkAnswer {
  total: number;
  /** Relative paths of page 1, in order. */
  paths: string[];
  /** The page as the JSON the API would send, so both sides pay for serialising their answer. */
  body: string;
}

/** The listing fields of one file; the parsed companion itself is dropped right away. */
interface WalkedFile {
  path: string;
  folder: string;
  filename: string;
  sizeBytes: number;
  createdMs: number;
  durationSeconds: number | null;
  sampleRate: number | null;
  generationType: string;
}

const AUDIO = /\.(wav|mp3|flac|ogg|opus|m4a|webm)$/i;

function readJson(path: string): Record<string, any> | null {
  try {
    return JSON.parse(readFileSync(path, "utf8")) as Record<string, any>;
  } catch {
    return null;
  }
}

function walkedFile(root: string, folder: string, filename: string): WalkedFile {
  const path = folder ? `${folder}/${filename}` : filename;
  const stats = statSync(join(root, path));
  const companion = readJson(join(root, `${path}.json`));
  const info = companion?.generation_info ?? {};
  return {
    path,
    folder,
    filename,
    sizeBytes: stats.size,
    // The same creation time the index sorts by, so both answers can be compared row for row.
    createdMs: stats.birthtimeMs > 0 ? stats.birthtimeMs : stats.ctimeMs,
    durationSeconds: typeof info.duration_seconds === "number" ? info.duration_seconds : null,
    sampleRate: typeof info.sample_rate === "number" ? info.sample_rate : null,
    generationType: typeof companion?.type === "string" ? companion.type : "unknown",
  };
}

/** Every audio file at or below `folder`, depth first. */
function walk(root: string, folder: string, found: WalkedFile[]): void {
  for (const entry of readdirSync(join(root, folder), { withFileTypes: true })) {
    if (entry.name.startsWith(".")) continue;
    const below = folder ? `${folder}/${entry.name}` : entry.name;
    if (entry.isDirectory()) walk(root, below, found);
    else if (entry.isFile() && AUDIO.test(entry.name)) found.push(walkedFile(root, folder, entry.name));
  }
}

function byDate(order: "asc" | "desc"): (a: WalkedFile, b: WalkedFile) => number {
  const sign = order === "asc" ? 1 : -1;
  return (a, b) => sign * (a.createdMs - b.createdMs || (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/** A page item as the API lists it, parameters re-read from the companion (only for the page). */
function view(root: string, file: WalkedFile): Record<string, unknown> {
  const companion = readJson(join(root, `${file.path}.json`));
  return {
    filename: file.filename,
    path: file.path,
    folder_path: file.folder || null,
    format: file.filename.slice(file.filename.lastIndexOf(".") + 1).toLowerCase(),
    file_size_bytes: file.sizeBytes,
    duration_seconds: file.durationSeconds,
    sample_rate: file.sampleRate,
    created_date: new Date(file.createdMs).toISOString(),
    url: `/outputs/${file.path.split("/").map(encodeURIComponent).join("/")}`,
    generation_type: file.generationType,
    parameters: companion?.parameters ?? {},
    source_files: [],
  };
}

function matchesQuery(file: WalkedFile, { folder, search }: WalkQuery): boolean {
  if (folder && file.folder !== folder && !file.folder.startsWith(`${folder}/`)) return false;
  return !search || `${file.filename}\n${file.folder}`.toLowerCase().includes(search.toLowerCase());
}

export function walkListing(root: string, query: WalkQuery): WalkAnswer {
  const found: WalkedFile[] = [];
  walk(root, "", found);
  const matches = found.filter((file) => matchesQuery(file, query));
  const page = matches.sort(byDate(query.sortOrder)).slice(0, query.pageSize);
  const total = matches.length;
  const body = JSON.stringify({
    files: page.map((file) => view(root, file)),
    count: page.length,
    page: 1,
    page_size: query.pageSize,
    total_files: total,
  });
  return { total, paths: page.map((file) => file.path), body };
}
