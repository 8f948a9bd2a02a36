/**
 * Parses POST /api/v1/tts at the edge: the JSON body (spec §3.1, defaults from config `tts_defaults`) and
 * the delivery switches `response_mode` / `return_format` (query wins over body). Unknown body fields are
 * kept in the request so the service reports them, never dropped silently.
 */
import { z } from "zod";
import type { FieldIssue } from "../../domain/errors.js";
import { ttsFieldSchemas, type ExportFormat, type TtsDefaults, type TtsFieldName } from "../../domain/tts-fields.js";
import type { TtsRequest } from "../../services/tts/tts-request.js";
import { toFieldIssues, validationFailed } from "./field-issues.js";

export const AUDIO_RESPONSE_MODES = ["stream", "file", "download"] as const;
export const JSON_RESPONSE_MODES = ["json", "url"] as const;
const RESPONSE_MODES: readonly string[] = [...AUDIO_RESPONSE_MODES, ...JSON_RESPONSE_MODES];

export interface TtsDelivery {
  /** `audio` streams one file back; `json` describes every file. */
  kind: "audio" | "json";
  /** The file streamed in audio mode. */
  returnFormat: ExportFormat;
}

export interface ParsedTtsRequest {
  request: TtsRequest;
  delivery: TtsDelivery;
}

const optionalText = z.string({ error: "must be a string" }).nullish();

function bodySchema(maxTextLength: number) {
  const optionalFields = Object.fromEntries(
    Object.entries(ttsFieldSchemas).map(([name, schema]) => [name, schema.optional()]),
  ) as { [K in TtsFieldName]: z.ZodOptional<(typeof ttsFieldSchemas)[K]> };
  return z.looseObject({
    text: z
      .string({ error: "is required and must be a string" })
      .trim()
      .min(1, { error: "Text must be non-empty" })
      .max(maxTextLength, { error: `Text too long. Maximum length: ${maxTextLength} characters` }),
    reference_audio_filename: optionalText,
    project: optionalText,
    folder: optionalText,
    language: z
      .string()
      .regex(/^[a-z]{2}$/, { error: "must be a two-letter ISO 639-1 code such as 'en'" })
      .optional(),
    response_mode: optionalText,
    return_format: optionalText,
    ...optionalFields,
  });
}

type Body = z.output<ReturnType<typeof bodySchema>>;

export interface TtsRequestParserOptions {
  defaults: TtsDefaults;
  maxTextLength: number;
}

export function createTtsRequestParser({ defaults, maxTextLength }: TtsRequestParserOptions) {
  const schema = bodySchema(maxTextLength);
  const knownFields = new Set(Object.keys(schema.shape));

  return function parseTtsRequest(input: { body: unknown; query: Record<string, unknown> }): ParsedTtsRequest {
    const parsed = schema.safeParse(input.body);
    if (!parsed.success) throw validationFailed(toFieldIssues(parsed.error.issues, "body"));
    const body = parsed.data;
    const issues: FieldIssue[] = [];
    const project = resolveProject(body, issues);
    const options = withDefaults(body, defaults);
    const delivery = resolveDelivery(body, input.query, options.export_formats, issues);
    if (issues.length > 0 || !delivery) throw validationFailed(issues);
    const sent = Object.keys(input.body as object).filter((key) => (body as Record<string, unknown>)[key] != null);
    return {
      request: {
        text: body.text,
        referenceAudioFilename: body.reference_audio_filename?.trim() || undefined,
        project,
        language: body.language,
        options,
        explicitFields: new Set(sent.filter((key) => knownFields.has(key))),
        unknownFields: sent.filter((key) => !knownFields.has(key)),
      },
      delivery,
    };
  };
}

function withDefaults(body: Body, defaults: TtsDefaults): TtsDefaults {
  const resolved = { ...defaults } as Record<string, unknown>;
  for (const name of Object.keys(defaults)) {
    const value = (body as Record<string, unknown>)[name];
    if (value !== undefined) resolved[name] = value;
  }
  return resolved as TtsDefaults;
}

/** `folder` is an alias of `project`; both set to different values is an error (spec §3.1). */
function resolveProject(body: Body, issues: FieldIssue[]): string | undefined {
  const { project, folder } = body;
  if (project != null && folder != null && project !== folder) {
    issues.push({
      loc: ["body", "folder"],
      msg: "Cannot specify both 'project' and 'folder' parameters with different values",
      type: "value_error",
    });
  }
  return project ?? folder ?? undefined;
}

function resolveDelivery(
  body: Body,
  query: Record<string, unknown>,
  formats: ExportFormat[],
  issues: FieldIssue[],
): TtsDelivery | undefined {
  const mode = pick("response_mode", query, body, issues) ?? "stream";
  const returnFormat = pick("return_format", query, body, issues) ?? formats[0];
  if (!RESPONSE_MODES.includes(mode)) {
    issues.push(issueAt("response_mode", query, `must be one of ${RESPONSE_MODES.join(", ")}`));
  }
  if (!formats.includes(returnFormat as ExportFormat)) {
    issues.push(issueAt("return_format", query, `must be one of the requested export_formats (${formats.join(", ")})`));
  }
  if (issues.length > 0) return undefined;
  const kind = (AUDIO_RESPONSE_MODES as readonly string[]).includes(mode) ? "audio" : "json";
  return { kind, returnFormat: returnFormat as ExportFormat };
}

/** The query value wins over the body value; both are case-insensitive. */
function pick(name: string, query: Record<string, unknown>, body: Body, issues: FieldIssue[]): string | undefined {
  const fromQuery = query[name];
  if (Array.isArray(fromQuery)) {
    issues.push({ loc: ["query", name], msg: "must be given once", type: "value_error" });
    return undefined;
  }
  const value = typeof fromQuery === "string" ? fromQuery : (body as Record<string, unknown>)[name];
  return typeof value === "string" && value !== "" ? value.toLowerCase() : undefined;
}

function issueAt(name: string, query: Record<string, unknown>, msg: string): FieldIssue {
  return { loc: [typeof query[name] === "string" ? "query" : "body", name], msg, type: "value_error" };
}
