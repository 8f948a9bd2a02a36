/**
 * The error bodies in the document: ours under /api (error-table.ts, docs/errors.md) and OpenAI's under /v1
 * (openai-error.ts), one reusable response per status so each operation lists the statuses it can answer.
 */
import type { JsonSchema } from "./json-schema.js";

/** What each status means for a client, whichever route answers it. */
const STATUS_MEANINGS: Record<number, string> = {
  400: "Malformed request: invalid JSON, a bad path, a missing confirmation.",
  401: "API keys are on and the request carries no valid key.",
  403: "The key lacks the scope this route needs.",
  404: "The file, voice, job or model named does not exist.",
  405: "The path exists but not with this method (the Allow header lists those it has).",
  409: "Conflict: the name is taken or ambiguous, or the job is in the wrong state.",
  413: "The body or an uploaded file is larger than the configured limit.",
  415: "The body or an uploaded file is not of a type this route takes.",
  422: "Validation failed; detail lists every field problem.",
  426: "A WebSocket endpoint asked for with a plain HTTP request.",
  429: "Too many requests, a full queue or a used-up quota; wait for Retry-After seconds.",
  500: "The server failed; the details are in its log under the X-Request-ID.",
  501: "Not available on this server, e.g. no speech recognition installed.",
  503: "Not ready: the model is loading, the server is shutting down or the library index is building. Retry-After says when to try again.",
  504: "Inference took longer than the configured timeout.",
};

const ERROR_STATUSES = Object.keys(STATUS_MEANINGS).map(Number);

const fieldIssue: JsonSchema = {
  type: "object",
  properties: {
    loc: { type: "array", items: { type: ["string", "integer"] }, description: 'Where: e.g. ["body", "temperature"].' },
    msg: { type: "string" },
    type: { type: "string" },
  },
  required: ["loc", "msg", "type"],
};

export const errorSchemas: Record<string, JsonSchema> = {
  ApiError: {
    type: "object",
    description: "The one error body under /api.",
    properties: {
      success: { const: false },
      error: { type: "string", description: "A message for people." },
      error_code: { type: "string", description: "A stable code to branch on, e.g. VALIDATION_ERROR." },
      detail: {
        description: "The field problems of a validation error, else a string or null.",
        anyOf: [
          { type: "array", items: { $ref: "#/components/schemas/FieldIssue" } },
          { type: "string" },
          { type: "null" },
        ],
      },
    },
    required: ["success", "error", "error_code", "detail"],
    example: {
      success: false,
      error: "temperature: must be between 0.1 and 2",
      error_code: "VALIDATION_ERROR",
      detail: [{ loc: ["body", "temperature"], msg: "must be between 0.1 and 2", type: "too_big" }],
    },
  },
  FieldIssue: fieldIssue,
  OpenAiError: {
    type: "object",
    description: "OpenAI's error body, used under /v1.",
    properties: {
      error: {
        type: "object",
        properties: {
          message: { type: "string" },
          type: { type: "string", description: "e.g. invalid_request_error, authentication_error, server_error." },
          param: { type: ["string", "null"], description: "The field at fault." },
          code: { type: ["string", "null"], description: "Our error_code, lower-cased." },
        },
        required: ["message", "type", "param", "code"],
      },
    },
    required: ["error"],
  },
};

const RETRY_AFTER = { description: "Seconds to wait before trying again.", schema: { type: "integer" } };

function response(status: number, schema: string): JsonSchema {
  const retry = status === 429 || status === 503;
  return {
    description: STATUS_MEANINGS[status],
    ...(retry ? { headers: { "Retry-After": RETRY_AFTER } } : {}),
    content: { "application/json": { schema: { $ref: `#/components/schemas/${schema}` } } },
  };
}

/** `ApiError400`... and `OpenAiError400`... (OpenAI answers validation problems with 400, never 422). */
export function errorResponses(): Record<string, JsonSchema> {
  const ours = ERROR_STATUSES.map((status) => [`ApiError${status}`, response(status, "ApiError")]);
  const openAi = ERROR_STATUSES.filter((status) => status !== 422).map((status) => [
    `OpenAiError${status}`,
    response(status, "OpenAiError"),
  ]);
  return Object.fromEntries([...ours, ...openAi]);
}

/** The responses entry of an error status on a route: OpenAI's shape under /v1, ours elsewhere. */
export function errorRef(path: string, status: number): JsonSchema {
  const openAi = path.startsWith("/v1/");
  const shown = openAi && status === 422 ? 400 : status;
  return { $ref: `#/components/responses/${openAi ? "OpenAiError" : "ApiError"}${shown}` };
}
