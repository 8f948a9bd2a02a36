/**
 * One route's entry in the document from a short description: the path in OpenAPI's `{name}` form, its
 * parameters, the scope it needs (ROUTE_ACCESS) and its error responses, so the route files stay the truth
 * and each description lists only what is particular to its route.
 */
import type { z } from "zod";
import { ROUTE_ACCESS } from "../auth/route-access.js";
import { errorRef } from "./error-responses.js";
import { queryParameters, type JsonSchema } from "./json-schema.js";

/** The sections of the reference, in the order it shows them. */
export const TAGS = [
  "System",
  "TTS",
  "VC",
  "Concat",
  "Voices",
  "VC inputs",
  "Outputs",
  "OpenAI",
  "Transcriptions",
  "Realtime",
  "Jobs",
  "Keys",
  "Usage",
  "Maintenance",
  "Docs",
] as const;
export type Tag = (typeof TAGS)[number];

/** A request body in one or more media types, each with its schema and an example. */
export type BodySpec = Record<string, { schema: JsonSchema; example?: unknown }>;

export interface OperationSpec {
  operationId: string;
  summary: string;
  tag: Tag;
  description?: string;
  /** The zod schema that parses the query string, when the route reads one. */
  query?: z.ZodType;
  /** What `{path}` names, where it is not a file below a library's folder. */
  pathText?: string;
  /** Query parameters a route reads without a zod schema. */
  parameters?: JsonSchema[];
  body?: BodySpec;
  /** The success answer: its status (200 when absent), description and content by media type. */
  ok: { status?: number; description: string; content?: Record<string, JsonSchema>; headers?: JsonSchema };
  /** Statuses this route answers besides the ones every route may (500, 503) and keyed routes add (401, 403, 429). */
  errors: number[];
}

export type RouteSpecs = Record<string, OperationSpec>;

/** `/api/v1/voices/*path/audio` → `/api/v1/voices/{path}/audio`; `:id` → `{id}`. */
export function openApiPath(routePath: string): string {
  return routePath.replace(/[*:](\w+)/g, "{$1}");
}

const PATH_PARAMETER_TEXT: Record<string, string> = {
  path: "A file's path inside its library folder (reference_audio/, vc_inputs/ or outputs/), e.g. book/ch1.wav; slashes may be sent as they are or as %2F.",
  id: "The id the list or the creation answered.",
  n: "The segment's index, from 0.",
};

function pathParameters(path: string, pathText: string | undefined): JsonSchema[] {
  return [...path.matchAll(/\{(\w+)\}/g)].map(([, name]) => ({
    name,
    in: "path",
    required: true,
    description: (name === "path" ? pathText : undefined) ?? PATH_PARAMETER_TEXT[name as string],
    schema: name === "n" ? { type: "integer", minimum: 0 } : { type: "string" },
  }));
}

/** Who may call the route, in words and as an OpenAPI security requirement. */
function access(route: string, authEnabled: boolean): { text: string; security: JsonSchema[] } {
  const needs = ROUTE_ACCESS[route];
  if (needs === undefined) throw new Error(`no ROUTE_ACCESS entry for ${route}`);
  if (needs === "public") return { text: "Public: no API key needed.", security: [] };
  const what = needs === "key" ? "any working API key" : `an API key with the \`${needs}\` scope`;
  const state = authEnabled ? "API keys are on here." : "API keys are off here (auth.enabled), so none is needed.";
  // Optional ({}) when keys are off, so the document states what this server really asks.
  return {
    text: `Needs ${what} when API keys are on. ${state}`,
    security: authEnabled ? [{ bearer: [] }] : [{}, { bearer: [] }],
  };
}

export function operationEntry(route: string, spec: OperationSpec, authEnabled: boolean): [string, string, JsonSchema] {
  const [method, routePath] = route.split(" ") as [string, string];
  const path = openApiPath(routePath);
  const who = access(route, authEnabled);
  const keyed = who.security.length > 0;
  const statuses = [...new Set([...spec.errors, ...(keyed ? [401, 403, 429] : []), 500, 503])].sort((a, b) => a - b);
  const responses: Record<string, JsonSchema> = {
    [String(spec.ok.status ?? 200)]: {
      description: spec.ok.description,
      ...(spec.ok.headers ? { headers: spec.ok.headers } : {}),
      ...(spec.ok.content ? { content: spec.ok.content } : {}),
    },
  };
  for (const status of statuses) responses[String(status)] = errorRef(path, status);
  const parameters = [
    ...pathParameters(path, spec.pathText),
    ...(spec.query ? queryParameters(spec.query) : []),
    ...(spec.parameters ?? []),
  ];
  const operation: JsonSchema = {
    operationId: spec.operationId,
    summary: spec.summary,
    tags: [spec.tag],
    description: [spec.description, who.text].filter(Boolean).join("\n\n"),
    ...(parameters.length > 0 ? { parameters } : {}),
    ...(spec.body ? { requestBody: requestBody(spec.body) } : {}),
    responses,
    security: who.security,
  };
  return [path, method.toLowerCase(), operation];
}

function requestBody(body: BodySpec): JsonSchema {
  const content = Object.fromEntries(
    Object.entries(body).map(([type, { schema, example }]) => [
      type,
      { schema, ...(example === undefined ? {} : { example }) },
    ]),
  );
  return { required: true, content };
}
