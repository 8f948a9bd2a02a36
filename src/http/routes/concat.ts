/**
 * POST /api/v1/concat (a JSON list of files in outputs/ and silences) and POST /api/v1/concat/mixed (a
 * multipart form: `request_json` with server files, uploads and silences, and the `uploaded_files`), spec
 * §3.17 and §3.18. The answer streams the file only when one format was made; otherwise it is JSON.
 */
import Router from "@koa/router";
import type { Context } from "koa";
import type { ConcatResult, ConcatService } from "../../services/concat/concat-service.js";
import type { OutputStore } from "../../storage/output-store.js";
import { jsonBodyRequired } from "../middleware/json-body.js";
import { formField, multipart, uploadedFiles } from "../middleware/multipart.js";
import { requestLog, requestSignal } from "../middleware/request-context.js";
import { sendGeneratedAudio, sendGeneratedJson } from "../present/generated-audio.js";
import { createMixedConcatRequestParser, REQUEST_JSON_FIELD, UPLOADS_FIELD } from "../schemas/concat-mixed-request.js";
import { createConcatRequestParser, type ParsedConcatRequest } from "../schemas/concat-request.js";

export interface ConcatRoutesOptions {
  concat: ConcatService;
  outputs: OutputStore;
  tempRoot: string;
  /** Entries (files, segments, silences) one request may list (config concat.max_items). */
  maxItems: number;
  /** Files one mixed request may upload (config concat.max_uploads). */
  maxUploads: number;
  /** Largest single upload (config uploads.max_concat_upload_mb). */
  maxUploadBytes: number;
  /** Largest sum of one request's uploads (config uploads.max_concat_total_mb). */
  maxTotalUploadBytes: number;
}

/** The file itself when exactly one was made and an audio mode asked for it; JSON otherwise. */
async function present(
  ctx: Context,
  { request, delivery }: ParsedConcatRequest,
  result: ConcatResult,
  outputs: OutputStore,
): Promise<void> {
  if (delivery.kind === "audio" && result.files.length === 1) {
    await sendGeneratedAudio(ctx, result, delivery, outputs);
    return;
  }
  const asked = typeof ctx.query.response_mode === "string" || request.explicitFields.has("response_mode");
  const note = `an audio response_mode streams one file; the ${result.files.length} files are described as JSON`;
  const warnings = delivery.kind === "audio" && asked ? [...result.warnings, note] : result.warnings;
  sendGeneratedJson(ctx, { ...result, warnings }, "Audio concatenation completed successfully", {
    total_duration_seconds: result.durationSeconds,
    file_count: result.fileCount,
    seed_used: result.seedUsed,
    metadata: result.metadata,
  });
}

export function concatRoutes(options: ConcatRoutesOptions): Router {
  const { concat, outputs, maxItems } = options;
  const parseConcat = createConcatRequestParser({ maxItems });
  const parseMixed = createMixedConcatRequestParser({ maxItems });
  const upload = multipart({
    tempRoot: options.tempRoot,
    fileField: UPLOADS_FIELD,
    maxFileBytes: options.maxUploadBytes,
    maxFiles: options.maxUploads,
    maxTotalFileBytes: options.maxTotalUploadBytes,
  });
  const router = new Router();

  async function run(ctx: Context, parsed: ParsedConcatRequest): Promise<void> {
    const result = await concat.run(parsed.request, { signal: requestSignal(ctx), log: requestLog(ctx) });
    await present(ctx, parsed, result, outputs);
  }

  router.post("/api/v1/concat", jsonBodyRequired, async (ctx) => {
    await run(ctx, parseConcat(ctx.request.body, ctx.query));
  });

  // The uploads' scratch folder lives until the concatenation has finished with them.
  router.post("/api/v1/concat/mixed", upload, async (ctx) => {
    const fields = Object.keys((ctx.request.body ?? {}) as object);
    const form = {
      requestJson: formField(ctx, REQUEST_JSON_FIELD),
      uploads: uploadedFiles(ctx, UPLOADS_FIELD),
      otherFields: fields.filter((name) => name !== REQUEST_JSON_FIELD),
    };
    await run(ctx, parseMixed(form, ctx.query));
  });
  return router;
}
