/**
 * Turns a request's sources into the audio core's items: server files confined to outputs/ (a path leaving
 * it is 400 `INVALID_PATH`; the original did not check), existing (404) and audio by their extension (400);
 * uploads checked by their content (sniffed and probed: 415 otherwise), once each however often they are used.
 */
import { stat } from "node:fs/promises";
import type { ConcatItem } from "../../audio/concat/types.js";
import { BadRequestError, NotFoundError } from "../../domain/errors.js";
import { resolveInside } from "../../storage/confine.js";
import { AUDIO_EXTENSIONS, extensionOf } from "../../storage/library/library-entry.js";
import type { OutputStore } from "../../storage/output-store.js";
import { checkUploadedAudio } from "../library/audio-upload.js";
import type { ConcatRequest, ConcatSource } from "./concat-request.js";
import { looksLikeSilence } from "./silence-notation.js";

/** Where an audio item came from, as the companion's `source_files` lists it. */
export type SourceFile =
  | { type: "server_file"; path: string; size_bytes: number }
  | { type: "upload"; index: number; filename: string; size_bytes: number };

export interface ResolvedItems {
  items: ConcatItem[];
  /** Each server file and upload once, in order of first use. */
  sourceFiles: SourceFile[];
}

/** Resolves every source before any audio work, so a bad entry fails the request fast. */
export async function resolveItems(request: ConcatRequest, outputs: OutputStore): Promise<ResolvedItems> {
  const uploads = await checkUploads(request);
  const items: ConcatItem[] = [];
  const sourceFiles = new Map<string, SourceFile>();
  for (const [position, source] of request.sources.entries()) {
    if (source.kind === "silence") {
      items.push({ kind: "silence", ms: source.ms, label: source.notation });
    } else if (source.kind === "upload") {
      const upload = uploads[source.index]!;
      items.push({ kind: "clip", path: upload.path, label: upload.label });
      sourceFiles.set(`upload:${source.index}`, upload.info);
    } else {
      const file = await serverFile(source, fieldOf(request, position), outputs);
      items.push({ kind: "clip", path: file.absolute, label: file.info.path });
      sourceFiles.set(`server:${file.info.path}`, file.info);
    }
  }
  return { items, sourceFiles: [...sourceFiles.values()] };
}

/** The request field an entry came from, as errors name it. */
function fieldOf(request: ConcatRequest, position: number): string {
  return request.mode === "concat" ? `files[${position}]` : `segments[${position}].source`;
}

async function checkUploads(request: ConcatRequest) {
  return Promise.all(
    request.uploads.map(async (upload, index) => {
      const checked = await checkUploadedAudio(upload, `uploaded_files[${index}]`);
      const info: SourceFile = { type: "upload", index, filename: checked.filename, size_bytes: upload.sizeBytes };
      return { path: upload.path, label: `upload ${index} (${checked.filename})`, info };
    }),
  );
}

async function serverFile(
  source: Extract<ConcatSource, { kind: "server_file" }>,
  field: string,
  outputs: OutputStore,
): Promise<{ absolute: string; info: Extract<SourceFile, { type: "server_file" }> }> {
  const { relative } = await resolveInside(outputs.root, source.path, field);
  const absolute = await outputs.resolveFile(relative).catch((error: unknown) => {
    if (!(error instanceof NotFoundError)) throw error;
    const hint = looksLikeSilence(source.path) ? " (a silence is written like (500ms) or (1.5s), without spaces)" : "";
    throw new NotFoundError(`File not found: ${source.path}${hint}`);
  });
  if (!AUDIO_EXTENSIONS.has(extensionOf(relative))) {
    throw new BadRequestError(`Not an audio file: ${source.path}`, "INVALID_AUDIO");
  }
  return { absolute, info: { type: "server_file", path: relative, size_bytes: (await stat(absolute)).size } };
}
