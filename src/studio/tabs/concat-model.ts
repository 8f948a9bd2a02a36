/**
 * The concat sequence as data: server files, uploads and silences in order, moved by drag and drop or
 * buttons, and the multipart form POST /api/v1/concat/mixed takes (docs/api/concat.md).
 */
import type { FormValues } from "../components/schema-form";

export interface OutputFile {
  path: string;
  filename: string;
  duration_seconds: number | null;
}

export interface Upload {
  id: string;
  file: File;
}

export type SequenceItem =
  | { id: string; kind: "output"; output: OutputFile }
  | { id: string; kind: "upload"; upload: Upload }
  | { id: string; kind: "silence"; ms: number };

/** The silence range the server accepts (`(50ms)` to `(10s)`). */
export const SILENCE_MS = { min: 50, max: 10_000 } as const;

let counter = 0;
/** Ids for list keys and drag payloads; unique within the page's life. */
export const nextId = (prefix: string) => `${prefix}-${++counter}`;

export function itemLabel(item: SequenceItem): string {
  if (item.kind === "output") return item.output.filename;
  if (item.kind === "upload") return `${item.upload.file.name} (upload)`;
  return `Silence ${item.ms} ms`;
}

/** `items` with the one at `from` moved to index `to` (indices of the list before the move). */
export function moved<T>(items: readonly T[], from: number, to: number): T[] {
  const next = [...items];
  const [item] = next.splice(from, 1);
  next.splice(to > from ? to - 1 : to, 0, item!);
  return next;
}

/** `items` with `item` inserted at `at` (the end when `at` is past it). */
export function inserted<T>(items: readonly T[], item: T, at: number): T[] {
  return [...items.slice(0, at), item, ...items.slice(at)];
}

/**
 * The request: each upload is sent once, numbered in order of first use (the server wants indices 0…n−1),
 * and used as often as the sequence names it.
 */
export function mixedForm(items: readonly SequenceItem[], settings: FormValues): FormData {
  const uploads: Upload[] = [];
  const segments = items.map((item) => {
    if (item.kind === "output") return { type: "server_file", source: item.output.path };
    if (item.kind === "silence") return { type: "silence", source: `(${item.ms}ms)` };
    let index = uploads.indexOf(item.upload);
    if (index < 0) index = uploads.push(item.upload) - 1;
    return { type: "upload", index };
  });
  const form = new FormData();
  form.append("request_json", JSON.stringify({ segments, ...settings }));
  for (const upload of uploads) form.append("uploaded_files", upload.file, upload.file.name);
  return form;
}

/** What dragging carries: a source to add, or a sequence item to move. */
export type DragPayload = { add: "output"; output: OutputFile } | { add: "upload"; id: string } | { move: number };

export const DRAG_TYPE = "application/x-studio-concat";
