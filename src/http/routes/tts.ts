import Router from "@koa/router";
import type { EncoderSettings } from "../../audio/ffmpeg.js";
import type { TtsService } from "../../services/tts/tts-service.js";
import type { OutputStore } from "../../storage/output-store.js";
import { jsonBodyRequired } from "../middleware/json-body.js";
import { requestId, requestLog, requestSignal } from "../middleware/request-context.js";
import { requestTrace } from "../middleware/trace-context.js";
import { sendSpeechAudio } from "../present/speech-stream-response.js";
import { noteUsage } from "../usage/usage-facts.js";
import { presentTtsAudio, presentTtsJson } from "../present/tts-response.js";
import { createTtsRequestParser, type TtsRequestParserOptions } from "../schemas/tts-request.js";

export interface TtsRoutesOptions extends TtsRequestParserOptions {
  tts: TtsService;
  outputs: OutputStore;
  /** Encoders of progressive streams (config `audio`). */
  encoding: EncoderSettings;
}

/** POST /api/v1/tts: parse and validate, generate (or stream progressively), present. */
export function ttsRoutes({ tts, outputs, encoding, ...parserOptions }: TtsRoutesOptions): Router {
  const parse = createTtsRequestParser(parserOptions);
  const router = new Router();
  router.post("/api/v1/tts", jsonBodyRequired, async (ctx) => {
    const { request, delivery, progressive } = parse({ body: ctx.request.body, query: ctx.query });
    const call = {
      signal: requestSignal(ctx),
      log: requestLog(ctx),
      requestId: requestId(ctx),
      traceparent: requestTrace(ctx),
    };
    const mode = progressive ? "progressive" : delivery.kind === "audio" ? "file" : "json";
    const voice = request.referenceAudioFilename ?? null;
    noteUsage(ctx, { inputChars: request.text.length, voice, format: delivery.returnFormat, streamMode: mode });
    if (progressive) {
      const stream = await tts.stream(request, call);
      noteUsage(ctx, () => ({ engine: stream.engine, outputAudioMs: stream.summary().durationSeconds * 1000 }));
      await sendSpeechAudio(ctx, stream, { format: delivery.returnFormat, settings: encoding });
      return;
    }
    const result = await tts.generate(request, call);
    noteUsage(ctx, { engine: result.engine, outputAudioMs: result.durationSeconds * 1000 });
    if (delivery.kind === "audio") await presentTtsAudio(ctx, result, delivery, outputs);
    else presentTtsJson(ctx, result);
  });
  return router;
}
