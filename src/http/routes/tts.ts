import Router from "@koa/router";
import type { TtsService } from "../../services/tts/tts-service.js";
import type { OutputStore } from "../../storage/output-store.js";
import { jsonBodyRequired } from "../middleware/json-body.js";
import { requestId, requestLog, requestSignal } from "../middleware/request-context.js";
import { presentTtsAudio, presentTtsJson } from "../present/tts-response.js";
import { createTtsRequestParser, type TtsRequestParserOptions } from "../schemas/tts-request.js";

export interface TtsRoutesOptions extends TtsRequestParserOptions {
  tts: TtsService;
  outputs: OutputStore;
}

/** POST /api/v1/tts: parse and validate, generate, present. */
export function ttsRoutes({ tts, outputs, ...parserOptions }: TtsRoutesOptions): Router {
  const parse = createTtsRequestParser(parserOptions);
  const router = new Router();
  router.post("/api/v1/tts", jsonBodyRequired, async (ctx) => {
    const { request, delivery } = parse({ body: ctx.request.body, query: ctx.query });
    const result = await tts.generate(request, {
      signal: requestSignal(ctx),
      log: requestLog(ctx),
      requestId: requestId(ctx),
    });
    if (delivery.kind === "audio") await presentTtsAudio(ctx, result, delivery, outputs);
    else presentTtsJson(ctx, result);
  });
  return router;
}
