/**
 * OpenAI's POST /v1/audio/speech: the speech is streamed as it is produced, as chunked audio bytes
 * (`stream_format: audio`, the default) or as Server-Sent Events (`sse`). The model must be one GET /v1/models
 * lists; the voice a library voice or a configured alias (never a silent fallback). Errors are OpenAI's body.
 */
import Router from "@koa/router";
import type { EncoderSettings } from "../../audio/ffmpeg.js";
import type { TtsDefaults } from "../../domain/tts-fields.js";
import { instructionPreset } from "../../services/openai/instruction-presets.js";
import type { ModelCatalog } from "../../services/openai/model-catalog.js";
import { toTtsRequest } from "../../services/openai/speech-request.js";
import type { VoiceResolver } from "../../services/openai/voice-resolver.js";
import type { TtsService } from "../../services/tts/tts-service.js";
import { jsonBodyRequired } from "../middleware/json-body.js";
import { requestId, requestLog, requestSignal } from "../middleware/request-context.js";
import { requestTrace } from "../middleware/trace-context.js";
import { sendSpeechAudio, sendSpeechEvents } from "../present/speech-stream-response.js";
import { noteUsage } from "../usage/usage-facts.js";
import { createSpeechBodyParser } from "../schemas/openai-speech.js";

export interface OpenAiSpeechRoutesOptions {
  tts: TtsService;
  voices: VoiceResolver;
  models: ModelCatalog;
  /** Config `tts_defaults`: what every field the body leaves unset means. */
  defaults: TtsDefaults;
  maxInputChars: number;
  encoding: EncoderSettings;
}

export function openAiSpeechRoutes(options: OpenAiSpeechRoutesOptions): Router {
  const { tts, voices, models, defaults, encoding } = options;
  const parse = createSpeechBodyParser(options.maxInputChars);
  const router = new Router();
  router.post("/v1/audio/speech", jsonBodyRequired, async (ctx) => {
    const { body, unknownFields } = parse(ctx.request.body);
    const model = await models.speechModel(body.model);
    const voice = voices.resolve(body.voice);
    const preset = instructionPreset(body.instructions);
    const request = toTtsRequest(
      {
        input: body.input,
        referenceAudioFilename: voice.referenceAudioFilename,
        language: body.language,
        speed: body.speed,
        seed: body.seed,
        temperature: body.temperature,
        exaggeration: body.exaggeration ?? preset.values.exaggeration,
        cfg_weight: body.cfg_weight ?? preset.values.cfg_weight,
        engine: model.engine,
        unknownFields,
      },
      defaults,
    );
    const call = {
      signal: requestSignal(ctx),
      log: requestLog(ctx),
      requestId: requestId(ctx),
      traceparent: requestTrace(ctx),
    };
    const streamMode = body.stream_format;
    noteUsage(ctx, { inputChars: body.input.length, voice: voice.id, format: body.response_format, streamMode });
    const stream = await tts.stream(request, call);
    noteUsage(ctx, () => ({ engine: stream.engine, outputAudioMs: stream.summary().durationSeconds * 1000 }));
    stream.warnings.push(...[model.warning, preset.warning].filter((warning) => warning !== undefined));
    if (preset.preset) ctx.set("X-Instructions-Preset", preset.preset);
    const respond = body.stream_format === "sse" ? sendSpeechEvents : sendSpeechAudio;
    await respond(ctx, stream, { format: body.response_format, settings: encoding });
  });
  return router;
}
