/**
 * What the OpenAI-compatible API offers: GET /v1/models and /v1/models/{model}, and the voices,
 * GET /v1/audio/voices (OpenAI's list shape with `after`/`limit` paging) and POST /v1/audio/voices (a new
 * library voice from `name` and `audio_sample`). Errors are OpenAI's body (see openai-error.ts).
 */
import Router from "@koa/router";
import type { Context } from "koa";
import type { ModelCatalog } from "../../services/openai/model-catalog.js";
import type { ListedVoice, VoiceDirectory } from "../../services/openai/voice-directory.js";
import { voiceDescription } from "../../storage/library/library-entry.js";
import { multipart } from "../middleware/multipart.js";
import { setWarningsHeader } from "../present/warnings-header.js";
import { parseVoiceForm, parseVoiceListQuery, VOICE_SAMPLE_FIELD } from "../schemas/openai-voice-params.js";
import { pathParam } from "./library-routes.js";

export interface OpenAiCatalogRoutesOptions {
  models: ModelCatalog;
  voices: VoiceDirectory;
  tempRoot: string;
  /** Largest `audio_sample` (config uploads.max_voice_mb). */
  maxUploadBytes: number;
}

export function openAiCatalogRoutes({ models, voices, tempRoot, maxUploadBytes }: OpenAiCatalogRoutesOptions): Router {
  const router = new Router();
  router.get("/v1/models", async (ctx) => {
    ctx.body = { object: "list", data: await models.list() };
  });
  // A wildcard: model names such as "Systran/faster-whisper-small" may hold a slash.
  router.get("/v1/models/*path", async (ctx) => {
    ctx.body = await models.get(pathParam(ctx.params));
  });

  router.get("/v1/audio/voices", (ctx) => {
    const { value, warnings } = parseVoiceListQuery(ctx.query);
    const page = voices.list(value);
    const data = page.items.map(voiceView);
    const body = { object: "list", data, first_id: data[0]?.id ?? null, last_id: data.at(-1)?.id ?? null };
    answer(ctx, { ...body, has_more: page.hasMore }, warnings);
  });

  const upload = multipart({ tempRoot, fileField: VOICE_SAMPLE_FIELD, maxFileBytes: maxUploadBytes });
  router.post("/v1/audio/voices", upload, async (ctx) => {
    const { value: form, warnings } = parseVoiceForm(ctx);
    const saved = await voices.create({
      name: form.name,
      file: form.sample,
      fileField: VOICE_SAMPLE_FIELD,
      folder: form.folder,
      description: form.description,
    });
    // OpenAI requires a consent recording's id; this server keeps no consent records to check it against.
    const consent =
      form.consent === undefined
        ? []
        : [`consent '${form.consent}' was not checked: this server keeps no consent records`];
    // 200 as OpenAI answers, not 201: SDK clients expect it.
    answer(ctx, voiceView({ kind: "library", entry: saved.entry }), [...warnings, ...consent, ...saved.warnings]);
  });
  return router;
}

/** The body, with the warnings also in `X-Warnings` (and in the body, where JSON clients look). */
function answer(ctx: Context, body: Record<string, unknown>, warnings: string[]): void {
  setWarningsHeader(ctx, warnings);
  ctx.body = warnings.length > 0 ? { ...body, warnings } : body;
}

/**
 * OpenAI's VoiceResource (`object`, `id`, `name`, `created_at`) and what a client choosing a voice needs:
 * where it comes from (`source`), and for library voices their folder, description, tags and length; for
 * aliases the library path they stand for (`alias_of`, null for the engine's built-in voice).
 */
function voiceView(voice: ListedVoice): Record<string, unknown> & { id: string } {
  if (voice.kind === "alias") {
    return {
      object: "audio.voice",
      id: voice.name,
      name: voice.name,
      created_at: voice.createdAt,
      source: "alias",
      alias_of: voice.target,
      ...(voice.warning === undefined ? {} : { warning: voice.warning }),
    };
  }
  const { entry } = voice;
  return {
    object: "audio.voice",
    id: entry.path,
    name: entry.name,
    created_at: Math.floor(entry.createdMs / 1000),
    source: "library",
    folder: entry.folder === "" ? null : entry.folder,
    description: voiceDescription(entry),
    tags: entry.tags,
    duration_seconds: entry.durationSeconds,
  };
}
