/** Presents a finished TTS request as audio bytes (stream/file/download) or as JSON (json/url), spec §3.1. */
import type { Context } from "koa";
import type { TtsResult } from "../../services/tts/tts-service.js";
import type { OutputStore } from "../../storage/output-store.js";
import type { Delivery } from "../schemas/request-common.js";
import { outputFilesView, sendGeneratedAudio } from "./generated-audio.js";
import { setJsonHeader, setWarningsHeader } from "./warnings-header.js";

export function presentTtsJson(ctx: Context, result: TtsResult): void {
  setWarningsHeader(ctx, result.warnings);
  ctx.body = {
    success: true,
    message: "TTS generation completed successfully",
    output_files: outputFilesView(result.files),
    generation_seed_used: result.seedUsed,
    processing_time_seconds: result.processingTimeSeconds,
    voice_defaults_applied: result.voiceDefaultsApplied,
    warnings: result.warnings,
  };
}

export async function presentTtsAudio(ctx: Context, result: TtsResult, delivery: Delivery, outputs: OutputStore) {
  ctx.set("X-Generation-Seed", String(result.seedUsed));
  setJsonHeader(ctx, "X-Voice-Defaults-Applied", result.voiceDefaultsApplied);
  await sendGeneratedAudio(ctx, result, delivery, outputs);
}
