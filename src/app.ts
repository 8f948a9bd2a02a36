/**
 * Builds the Koa application without listening, so tests can serve it on port 0 and main.ts owns the
 * socket. Middleware order: request context (id, log, abort signal) → trace context (W3C traceparent) →
 * security headers → metrics → usage → error body → CORS → foreign-origin writes refused → API keys → JSON body →
 * routes.
 */
import { fileURLToPath } from "node:url";
import Koa from "koa";
import type { AppConfig } from "./config/app-config.js";
import type { Logger } from "./logging.js";
import { apiKeyAuth } from "./http/auth/api-key-auth.js";
import { cors, refuseForeignWrites } from "./http/middleware/cors.js";
import { errorHandler } from "./http/middleware/error-handler.js";
import type { HttpDrain } from "./http/middleware/http-drain.js";
import { jsonBody } from "./http/middleware/json-body.js";
import { requestContext } from "./http/middleware/request-context.js";
import { requestMetrics } from "./http/middleware/request-metrics.js";
import { securityHeaders } from "./http/middleware/security-headers.js";
import { traceContext } from "./http/middleware/trace-context.js";
import { usageRecorder } from "./http/usage/usage-recorder.js";
import { apiDocsRoutes } from "./http/routes/api-docs.js";
import { apiMetricsRoutes } from "./http/routes/api-metrics.js";
import { concatRoutes } from "./http/routes/concat.js";
import { keyRoutes } from "./http/routes/keys.js";
import { maintenanceRoutes } from "./http/routes/maintenance.js";
import { observabilityRoutes } from "./http/routes/observability.js";
import { realtimeRoutes } from "./http/realtime/realtime-endpoint.js";
import { openAiAudioRoutes } from "./http/routes/openai-audio.js";
import { openAiCatalogRoutes } from "./http/routes/openai-catalog.js";
import { openAiSpeechRoutes } from "./http/routes/openai-speech.js";
import { outputFileRoutes, outputLibraryRoutes } from "./http/routes/outputs.js";
import { studioRoutes } from "./http/routes/studio.js";
import { systemRoutes } from "./http/routes/system.js";
import { ttsRoutes } from "./http/routes/tts.js";
import { usageRoutes } from "./http/routes/usage.js";
import { jobRoutes } from "./http/routes/jobs.js";
import { vcRoutes } from "./http/routes/vc.js";
import { vcInputRoutes } from "./http/routes/vc-inputs.js";
import { voiceRoutes } from "./http/routes/voices.js";
import type { Services } from "./services/create-services.js";
import type { HealthReport, HealthSource } from "./services/health-service.js";
import type { AppMetrics } from "./services/metrics/app-metrics.js";
import { createSystemStats } from "./services/metrics/system-stats.js";
import { ErrorReport } from "./services/usage/error-report.js";

/** Where the build puts the studio web app: beside the compiled server (dist/studio; src/setup/studio-build.mjs). */
const STUDIO_ROOT = fileURLToPath(new URL("../studio", import.meta.url));

export interface AppDependencies {
  config: AppConfig;
  log: Logger;
  version: string;
  services: Services;
  health: () => Promise<HealthReport>;
  /** The supervisor (or a stand-in): /readyz and the sidecar metrics read its state. */
  sidecar: HealthSource;
  /** Refuses new requests while the server shuts down; main.ts waits on it for those in flight. */
  drain: HttpDrain;
  /** The registry GET /metrics serves; the realtime endpoint, outside Koa, feeds it too. */
  metrics: AppMetrics;
}

export function createApp(deps: AppDependencies): Koa {
  const { config, services } = deps;
  const app = new Koa();
  app.proxy = false;
  const tempRoot = config.paths.temp;
  const { metrics } = deps;
  const routers = [
    systemRoutes({
      version: deps.version,
      config,
      health: deps.health,
      segmentLimit: () => services.tts.segmentLimit(),
      engines: () => services.engines(),
    }),
    ttsRoutes({
      tts: services.tts,
      outputs: services.outputs,
      defaults: config.ttsDefaults,
      maxTextLength: config.api.maxTextLength,
      encoding: config.audio,
    }),
    vcRoutes({
      vc: services.vc,
      outputs: services.outputs,
      defaults: config.vcDefaults,
      tempRoot,
      maxUploadBytes: config.uploads.maxVcSourceBytes,
    }),
    concatRoutes({
      concat: services.concat,
      outputs: services.outputs,
      tempRoot,
      maxItems: config.concat.maxItems,
      maxUploads: config.concat.maxUploads,
      maxUploadBytes: config.uploads.maxConcatUploadBytes,
      maxTotalUploadBytes: config.uploads.maxConcatTotalBytes,
    }),
    voiceRoutes({ voices: services.voices, tempRoot, maxUploadBytes: config.uploads.maxVoiceBytes }),
    vcInputRoutes({ vcInputs: services.vcInputs, tempRoot, maxUploadBytes: config.uploads.maxVcInputBytes }),
    openAiAudioRoutes({ stt: services.stt, tempRoot, maxUploadBytes: config.stt.maxUploadBytes }),
    openAiCatalogRoutes({
      models: services.modelCatalog,
      voices: services.voiceDirectory,
      tempRoot,
      maxUploadBytes: config.uploads.maxVoiceBytes,
    }),
    openAiSpeechRoutes({
      tts: services.tts,
      voices: services.voiceResolver,
      models: services.modelCatalog,
      defaults: config.ttsDefaults,
      maxInputChars: config.openai.maxInputChars,
      encoding: config.audio,
    }),
    realtimeRoutes(),
    outputLibraryRoutes(services.outputLibrary),
    outputFileRoutes(services.outputs),
    maintenanceRoutes(services.maintenance),
    keyRoutes(services.keys, services.audit),
    usageRoutes(services.usage),
    jobRoutes(services.jobs),
    apiMetricsRoutes({
      usage: services.usageStats,
      errors: new ErrorReport(services.usageStats),
      system: createSystemStats({
        outputsRoot: config.paths.outputs,
        tempRoot,
        outputFiles: () => services.library.status().files.outputs,
      }),
    }),
    observabilityRoutes({ sidecar: deps.sidecar, registry: metrics.registry }),
    apiDocsRoutes({ config, version: deps.version }),
    studioRoutes(STUDIO_ROOT),
  ];
  app.use(requestContext(deps.log));
  app.use(traceContext());
  app.use(securityHeaders());
  // Outside the error handler: the metrics count the status the client got.
  app.use(requestMetrics({ metrics: metrics.http, routers }));
  // Outside the error handler: the row records the status and error code the client got.
  app.use(usageRecorder({ usage: services.usage, routers, log: deps.log }));
  app.use(errorHandler(deps.log));
  app.use(deps.drain.middleware());
  // Before the key check: preflights carry no credentials, and a page must be able to read a 401.
  if (config.server.corsOrigins.length > 0) app.use(cors(config.server.corsOrigins));
  // CORS stops foreign pages reading answers, not sending form posts: those are refused here.
  app.use(refuseForeignWrites(config.server.corsOrigins));
  // Before any body is read: a request without the right key costs nothing but this check.
  app.use(apiKeyAuth({ enabled: config.auth.enabled, keys: services.keys, limiter: services.limiter, routers }));
  app.use(jsonBody(config.api.maxBodyBytes));
  for (const router of routers) {
    app.use(router.routes());
    // Not `throw: true`: the thrown errors carry no Allow header; the status it sets is turned into the error body.
    app.use(router.allowedMethods());
  }
  // Koa logs errors itself unless told otherwise; ours are logged once, by the error handler.
  app.silent = true;
  return app;
}
