/** Presents a finished TTS request as audio bytes (stream/file/download) or as JSON (json/url), spec §3.1. */
import { relative } from "node:path";
import type { Context } from "koa";
import type { OutputStore, PublishedFile } from "../../storage/output-store.js";
import type { TtsResult } from "../../services/tts/tts-service.js";
import type { TtsDelivery } from "../schemas/tts-request.js";
import { sendFile } from "./send-file.js";
import { setJsonHeader, setWarningsHeader } from "./warnings-header.js";

function describeFile(file: PublishedFile) {
  return {
    format: file.format,
    filename: file.filename,
    url: file.url,
    path: relative(process.cwd(), file.absolutePath),
  };
}

export function presentTtsJson(ctx: Context, result: TtsResult): void {
  setWarningsHeader(ctx, result.warnings);
  ctx.body = {
    success: true,
    message: "TTS generation completed successfully",
    output_files: result.files.map(describeFile),
    generation_seed_used: result.seedUsed,
    processing_time_seconds: result.processingTimeSeconds,
    voice_defaults_applied: result.voiceDefaultsApplied,
    warnings: result.warnings,
  };
}

/** Streams the `returnFormat` file from disk; the other formats are named in X-Alternative-Formats. */
export async function presentTtsAudio(
  ctx: Context,
  result: TtsResult,
  delivery: TtsDelivery,
  outputs: OutputStore,
): Promise<void> {
  const chosen = result.files.find((file) => file.format === delivery.returnFormat) ?? result.files[0]!;
  const alternatives = result.files.filter((file) => file !== chosen).map((file) => `${file.format}:${file.url}`);
  ctx.set("X-Generation-Seed", String(result.seedUsed));
  ctx.set("X-Processing-Time", String(result.processingTimeSeconds));
  if (alternatives.length > 0) ctx.set("X-Alternative-Formats", alternatives.join("|"));
  setWarningsHeader(ctx, result.warnings);
  setJsonHeader(ctx, "X-Voice-Defaults-Applied", result.voiceDefaultsApplied);
  await sendFile(ctx, await outputs.resolveFile(chosen.relativePath), { downloadName: chosen.filename });
}
