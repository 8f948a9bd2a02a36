/**
 * OpenAI's speech-recognition routes: POST /v1/audio/transcriptions and /v1/audio/translations (multipart
 * `file`, `model`, `language`, `prompt`, `response_format`, `temperature`, `timestamp_granularities[]`, and
 * `stream` for transcriptions). Errors are OpenAI's body (see openai-error.ts).
 */
import Router from "@koa/router";
import type { Context } from "koa";
import type { TranscriptionService, TranscriptionRequest } from "../../services/stt/transcription-service.js";
import { multipart, uploadedFile } from "../middleware/multipart.js";
import { requestId, requestSignal } from "../middleware/request-context.js";
import { requestTrace } from "../middleware/trace-context.js";
import { renderTranscript, type TranscriptView } from "../present/transcript-formats.js";
import { streamTranscript } from "../present/transcript-stream.js";
import { setWarningsHeader } from "../present/warnings-header.js";
import { parseTranscriptionForm, parseTranslationForm } from "../schemas/transcription-form.js";
import type { Transcript } from "../../domain/inference.js";
import { noteRecognition } from "../usage/usage-facts.js";

export interface OpenAiAudioRoutesOptions {
  stt: TranscriptionService;
  tempRoot: string;
  /** Largest `file` upload (config stt.max_upload_mb). */
  maxUploadBytes: number;
}

export function openAiAudioRoutes({ stt, tempRoot, maxUploadBytes }: OpenAiAudioRoutesOptions): Router {
  const router = new Router();
  const upload = multipart({ tempRoot, fileField: "file", maxFileBytes: maxUploadBytes });
  const call = (ctx: Context) => ({
    signal: requestSignal(ctx),
    requestId: requestId(ctx),
    traceparent: requestTrace(ctx),
  });

  router.post("/v1/audio/transcriptions", upload, async (ctx) => {
    const { form, warnings } = parseTranscriptionForm(ctx);
    const granularities = form["timestamp_granularities[]"] ?? ["segment"];
    const request: TranscriptionRequest = {
      file: uploadedFile(ctx, "file"),
      field: "file",
      model: form.model,
      task: "transcribe",
      language: form.language,
      prompt: form.prompt,
      temperature: form.temperature,
      wordTimestamps: granularities.includes("word"),
    };
    if (form.stream === "true") {
      await streamTranscript(ctx, stt.transcribeStream(request, call(ctx)), warnings);
      return;
    }
    const view = {
      task: "transcribe",
      format: form.response_format,
      segments: granularities.includes("segment"),
      words: granularities.includes("word"),
    } as const;
    present(ctx, await stt.transcribe(request, call(ctx)), view, warnings);
  });

  router.post("/v1/audio/translations", upload, async (ctx) => {
    const { form, warnings } = parseTranslationForm(ctx);
    const request: TranscriptionRequest = {
      file: uploadedFile(ctx, "file"),
      field: "file",
      model: form.model,
      task: "translate",
      prompt: form.prompt,
      temperature: form.temperature,
      wordTimestamps: false,
    };
    const view = { task: "translate", format: form.response_format, segments: true, words: false } as const;
    present(ctx, await stt.transcribe(request, call(ctx)), view, warnings);
  });
  return router;
}

/** The transcript in the asked format; the model's own warnings (e.g. a fallback) join the request's. */
function present(ctx: Context, transcript: Transcript, view: TranscriptView, warnings: string[]): void {
  noteRecognition(ctx, transcript.info, view.format);
  const all = [...warnings, ...transcript.info.warnings];
  setWarningsHeader(ctx, all);
  ctx.set("X-Transcription-Model", transcript.info.model);
  const rendered = renderTranscript(transcript, view);
  ctx.type = rendered.contentType;
  ctx.body = typeof rendered.body === "string" ? rendered.body : withWarnings(rendered.body, all);
}

function withWarnings(body: Record<string, unknown>, warnings: string[]): Record<string, unknown> {
  return warnings.length > 0 ? { ...body, warnings } : body;
}
