import Router from "@koa/router";
import type { AppConfig } from "../../config/app-config.js";
import { EXPORT_FORMATS } from "../../domain/tts-fields.js";
import { segmentLimitOf } from "../../domain/engine-selection.js";
import type { LoadedEngines } from "../../domain/inference.js";
import type { HealthReport } from "../../services/health-service.js";

const MIB = 1024 * 1024;

/** What a browser opening the server's address sees: where the studio and the API reference are. */
const BROWSER_LANDING = `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Chatterbox TTS Extended Plus</title></head>
<body>
<h1>Chatterbox TTS Extended Plus</h1>
<p><a href="/ui/">Open the studio</a> to generate, convert and join speech in the browser.</p>
<p>API clients: <a href="/docs">interactive API reference</a>, <a href="/openapi.json">OpenAPI document</a>.
This address answers JSON to requests that do not ask for HTML.</p>
</body>
</html>
`;

export interface SystemRoutesOptions {
  version: string;
  config: AppConfig;
  health: () => Promise<HealthReport>;
  /** The segment length in force (config lowered to the loaded engine's limit). */
  segmentLimit: () => Promise<number>;
  engines: () => Promise<LoadedEngines>;
}

/** GET / (service info), GET /api/v1/health and GET /api/v1/config. */
export function systemRoutes({ version, config, health, segmentLimit, engines }: SystemRoutesOptions): Router {
  const router = new Router();
  router.get("/", (ctx) => {
    // A browser asks for HTML first and gets pointed at the studio; API clients (and curl's */*) get JSON.
    if (ctx.accepts("json", "html") === "html") {
      ctx.type = "html";
      ctx.body = BROWSER_LANDING;
      return;
    }
    ctx.body = {
      message: "Chatterbox TTS Extended Plus API (TypeScript edition)",
      version,
      endpoints: {
        health_check: "/api/v1/health",
        metrics: "/api/v1/metrics",
        config: "/api/v1/config",
        tts_generation: "/api/v1/tts",
        voice_conversion: "/api/v1/vc",
        concatenation: "/api/v1/concat",
        mixed_concatenation: "/api/v1/concat/mixed",
        transcriptions: "/v1/audio/transcriptions",
        translations: "/v1/audio/translations",
        voices: "/api/v1/voices",
        vc_inputs: "/api/v1/vc_inputs",
        outputs: "/api/v1/outputs",
        output_files: "/outputs/{path}",
        studio: "/ui/",
        api_reference: "/docs",
        openapi: "/openapi.json",
      },
    };
  });
  router.get("/api/v1/health", async (ctx) => {
    const report = await health();
    // 503 lets load balancers and scripts wait for readiness; the body explains why either way.
    ctx.status = report.status === "healthy" ? 200 : 503;
    ctx.body = report;
  });
  router.get("/api/v1/config", async (ctx) => {
    // While no engine is loaded the configured cap is shown: the limit in force is never above it.
    const maxSegmentChars = await segmentLimit().catch(() => config.inference.maxSegmentChars);
    const loaded = await engines().catch(() => undefined);
    ctx.body = {
      tts_defaults: config.ttsDefaults,
      vc_defaults: config.vcDefaults,
      supported_formats: EXPORT_FORMATS,
      // Whether requests may name http(s) URLs as audio; the allow-list stays private (it names inner hosts).
      url_sources: {
        enabled: config.urlSources.enabled,
        max_mb: config.urlSources.maxBytes / MIB,
        timeout_seconds: config.urlSources.timeoutMs / 1000,
      },
      api_limits: {
        max_text_length: config.api.maxTextLength,
        max_segment_chars: maxSegmentChars,
        max_body_bytes: config.api.maxBodyBytes,
        max_vc_source_mb: config.uploads.maxVcSourceBytes / MIB,
        max_transcription_upload_mb: config.stt.maxUploadBytes / MIB,
        max_concat_items: config.concat.maxItems,
        max_concat_uploads: config.concat.maxUploads,
        max_concat_upload_mb: config.uploads.maxConcatUploadBytes / MIB,
        max_concat_total_mb: config.uploads.maxConcatTotalBytes / MIB,
        inference_timeout_seconds: config.api.inferenceTimeoutMs / 1000,
      },
      inference: {
        engine: config.inference.engine,
        engines: config.inference.engines,
        memory_budget_mb: config.inference.memoryBudgetMb,
        // What requests may name now (`engine`); empty while the sidecar is not ready.
        loaded_engines: (loaded?.loaded ?? []).map((info) => ({
          name: info.engine,
          default: info.engine === loaded?.default.engine,
          languages: info.languages,
          max_segment_chars: segmentLimitOf(info, config.inference.maxSegmentChars),
          sample_rate: info.sampleRate,
        })),
        unavailable_engines: (loaded?.unavailable ?? []).map(({ engine, reason }) => ({ name: engine, reason })),
        chatterbox_variant: config.inference.chatterboxVariant,
        device: config.inference.device,
        queue_capacity: config.inference.queueCapacity,
      },
    };
  });
  return router;
}
