/**
 * Builds the Koa application without listening, so tests can serve it on port 0 and main.ts owns the
 * socket. Middleware order: request context (id, log, abort signal) → error body → JSON body → routes.
 */
import Koa from "koa";
import type { AppConfig } from "./config/app-config.js";
import type { Logger } from "./logging.js";
import { errorHandler } from "./http/middleware/error-handler.js";
import { jsonBody } from "./http/middleware/json-body.js";
import { requestContext } from "./http/middleware/request-context.js";
import { outputFileRoutes } from "./http/routes/outputs.js";
import { systemRoutes } from "./http/routes/system.js";
import { ttsRoutes } from "./http/routes/tts.js";
import type { HealthReport } from "./services/health-service.js";
import type { TtsService } from "./services/tts/tts-service.js";
import type { OutputStore } from "./storage/output-store.js";

export interface AppDependencies {
  config: AppConfig;
  log: Logger;
  version: string;
  tts: TtsService;
  outputs: OutputStore;
  health: () => Promise<HealthReport>;
}

export function createApp(deps: AppDependencies): Koa {
  const app = new Koa();
  app.proxy = false;
  const routers = [
    systemRoutes({
      version: deps.version,
      config: deps.config,
      health: deps.health,
      segmentLimit: () => deps.tts.segmentLimit(),
    }),
    ttsRoutes({
      tts: deps.tts,
      outputs: deps.outputs,
      defaults: deps.config.ttsDefaults,
      maxTextLength: deps.config.api.maxTextLength,
    }),
    outputFileRoutes(deps.outputs),
  ];
  app.use(requestContext(deps.log));
  app.use(errorHandler(deps.log));
  app.use(jsonBody(deps.config.api.maxBodyBytes));
  for (const router of routers) {
    app.use(router.routes());
    // Not `throw: true`: the thrown errors carry no Allow header; the status it sets is turned into the error body.
    app.use(router.allowedMethods());
  }
  // Koa logs errors itself unless told otherwise; ours are logged once, by the error handler.
  app.silent = true;
  return app;
}
