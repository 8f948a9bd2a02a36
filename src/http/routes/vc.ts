/** POST /api/v1/vc (spec §3.2): a JSON body naming both sources, or a multipart upload of the source. */
import Router from "@koa/router";
import type { Context } from "koa";
import { UnsupportedMediaTypeError } from "../../domain/errors.js";
import type { VcDefaults } from "../../domain/vc-fields.js";
import type { VcService } from "../../services/vc/vc-service.js";
import type { OutputStore } from "../../storage/output-store.js";
import { multipart, uploadedFile } from "../middleware/multipart.js";
import { requestId, requestLog, requestSignal } from "../middleware/request-context.js";
import { requestTrace } from "../middleware/trace-context.js";
import { sendGeneratedAudio, sendGeneratedJson } from "../present/generated-audio.js";
import { noteUsage } from "../usage/usage-facts.js";
import { createVcRequestParser, type ParsedVcRequest } from "../schemas/vc-request.js";

export interface VcRoutesOptions {
  vc: VcService;
  outputs: OutputStore;
  defaults: VcDefaults;
  tempRoot: string;
  /** Largest `input_audio` upload (config uploads.max_vc_source_mb). */
  maxUploadBytes: number;
}

export function vcRoutes({ vc, outputs, defaults, tempRoot, maxUploadBytes }: VcRoutesOptions): Router {
  const parser = createVcRequestParser(defaults);
  const upload = multipart({ tempRoot, fileField: "input_audio", maxFileBytes: maxUploadBytes });
  const router = new Router();

  async function convert(ctx: Context, { request, delivery }: ParsedVcRequest): Promise<void> {
    const options = {
      signal: requestSignal(ctx),
      log: requestLog(ctx),
      requestId: requestId(ctx),
      traceparent: requestTrace(ctx),
    };
    noteUsage(ctx, { voice: request.target, format: delivery.returnFormat, streamMode: delivery.kind });
    const result = await vc.convert(request, options);
    const { engine, sourceSeconds, durationSeconds } = result;
    noteUsage(ctx, { engine, inputAudioMs: sourceSeconds * 1000, outputAudioMs: durationSeconds * 1000 });
    if (delivery.kind === "audio") {
      await sendGeneratedAudio(ctx, result, delivery, outputs);
      return;
    }
    sendGeneratedJson(ctx, result, "Voice conversion completed successfully");
  }

  router.post("/api/v1/vc", async (ctx) => {
    if (ctx.request.is("application/json")) {
      await convert(ctx, parser.json(ctx.request.body, ctx.query));
      return;
    }
    if (!ctx.request.is("multipart/form-data")) {
      throw new UnsupportedMediaTypeError(
        "POST /api/v1/vc takes a JSON body (Content-Type: application/json) naming input_audio_source, " +
          "or multipart/form-data with the source file in 'input_audio'",
      );
    }
    // The upload's scratch folder lives until the conversion has finished with the file.
    await upload(ctx, async () => {
      const fields = (ctx.request.body ?? {}) as Record<string, unknown>;
      await convert(ctx, parser.form(fields, uploadedFile(ctx, "input_audio"), ctx.query));
    });
  });
  return router;
}
