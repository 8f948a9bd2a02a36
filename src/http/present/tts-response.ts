/** Presents a finished TTS request as audio bytes (stream/file/download) or as JSON (json/url), spec §3.1. */
import type { Context } from "koa";
import type { TtsResult } from "../../services/tts/tts-service.js";
import type { OutputStore } from "../../storage/output-store.js";
import type { Delivery } from "../schemas/request-common.js";
import { sendGeneratedAudio, sendGeneratedJson } from "./generated-audio.js";
import { setJsonHeader } from "./warnings-header.js";

export function presentTtsJson(ctx: Context, result: TtsResult): void {
  sendGeneratedJson(ctx, result, "TTS generation completed successfully", {
    generation_seed_used: result.seedUsed,
    engine: result.engine,
    voice_defaults_applied: result.voiceDefaultsApplied,
    verification: result.verification,
  });
}

export async function presentTtsAudio(ctx: Context, result: TtsResult, delivery: Delivery, outputs: OutputStore) {
  ctx.set("X-Generation-Seed", String(result.seedUsed));
  ctx.set("X-Engine", result.engine);
  setJsonHeader(ctx, "X-Voice-Defaults-Applied", result.voiceDefaultsApplied);
  // The JSON body's `verification`, so audio clients learn whether (and how well) the speech was checked.
  setJsonHeader(ctx, "X-Verification", { ...result.verification });
  await sendGeneratedAudio(ctx, result, delivery, outputs);
}
