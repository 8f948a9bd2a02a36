/**
 * GET /openapi.json: the API as OpenAPI 3.1, built once per app from the running config, so the defaults and
 * limits shown are the ones in force. Every route the routers register must have an entry here; a test walks
 * the routers to keep it so.
 */
import type { AppConfig } from "../../config/app-config.js";
import { errorResponses, errorSchemas } from "./error-responses.js";
import type { JsonSchema } from "./json-schema.js";
import { jobRouteSpecs } from "./paths-jobs.js";
import { libraryRouteSpecs } from "./paths-library.js";
import { speechRouteSpecs } from "./paths-speech.js";
import { systemRouteSpecs } from "./paths-system.js";
import { operationEntry, TAGS, type RouteSpecs } from "./operation.js";
import { requestSchemas } from "./request-schemas.js";

export interface OpenApiOptions {
  config: AppConfig;
  version: string;
}

const ROUTE_SPECS: RouteSpecs = { ...systemRouteSpecs, ...speechRouteSpecs, ...libraryRouteSpecs, ...jobRouteSpecs };

export function buildOpenApiDocument({ config, version }: OpenApiOptions): JsonSchema {
  const paths: Record<string, Record<string, JsonSchema>> = {};
  for (const [route, spec] of Object.entries(ROUTE_SPECS)) {
    const [path, method, operation] = operationEntry(route, spec, config.auth.enabled);
    paths[path] = { ...paths[path], [method]: operation };
  }
  return {
    openapi: "3.1.0",
    info: {
      title: "Chatterbox TTS Extended Plus API",
      version,
      description:
        "Text to speech, voice conversion, joining audio, transcription and long jobs, plus OpenAI-compatible routes under /v1. Errors under /api have one body (ApiError); under /v1 OpenAI's (OpenAiError).",
    },
    tags: TAGS.map((name) => ({ name })),
    paths,
    components: {
      schemas: { ...requestSchemas(config), ...errorSchemas },
      responses: errorResponses(),
      securitySchemes: {
        bearer: {
          type: "http",
          scheme: "bearer",
          description: "An API key (keys are optional: config auth.enabled). Each operation names the scope it needs.",
        },
      },
    },
  };
}
