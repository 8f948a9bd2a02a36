/**
 * What every generating endpoint (TTS, VC) answers: the files it published as JSON, or one of them as
 * audio (stream/file/download) with the others named in `X-Alternative-Formats` (spec §3.1).
 */
import { relative } from "node:path";
import type { Context } from "koa";
import { fileKey, type OutputStore, type PublishedFile } from "../../storage/output-store.js";
import type { Delivery } from "../schemas/request-common.js";
import { sendFile } from "./send-file.js";
import { setWarningsHeader } from "./warnings-header.js";

/** The facts every generated result has. */
export interface GeneratedResult {
  files: PublishedFile[];
  processingTimeSeconds: number;
  warnings: string[];
}

/** `output_files` of a JSON answer: format, name, URL and path (relative to the working folder, as the original). */
function outputFilesView(files: PublishedFile[]) {
  return files.map((file) => ({
    format: file.format,
    ...(file.variant === undefined ? {} : { variant: file.variant }),
    filename: file.filename,
    url: file.url,
    path: relative(process.cwd(), file.absolutePath),
  }));
}

/** The JSON answer (`response_mode` json/url): every published file, the time taken, `extra` facts, warnings. */
export function sendGeneratedJson(ctx: Context, result: GeneratedResult, message: string, extra: object = {}): void {
  setWarningsHeader(ctx, result.warnings);
  ctx.body = {
    success: true,
    message,
    output_files: outputFilesView(result.files),
    ...extra,
    processing_time_seconds: result.processingTimeSeconds,
    warnings: result.warnings,
  };
}

/** Streams the `returnFormat` file from disk with the result's headers plus `headers`. */
export async function sendGeneratedAudio(
  ctx: Context,
  result: GeneratedResult,
  delivery: Delivery,
  outputs: OutputStore,
): Promise<void> {
  const main = result.files.filter((file) => file.variant === undefined);
  const chosen = main.find((file) => file.format === delivery.returnFormat) ?? main[0]!;
  const alternatives = result.files.filter((file) => file !== chosen).map((file) => `${fileKey(file)}:${file.url}`);
  ctx.set("X-Processing-Time", String(result.processingTimeSeconds));
  if (alternatives.length > 0) ctx.set("X-Alternative-Formats", alternatives.join("|"));
  setWarningsHeader(ctx, result.warnings);
  await sendFile(ctx, await outputs.resolveFile(chosen.relativePath), { downloadName: chosen.filename });
}
