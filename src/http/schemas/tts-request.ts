/**
 * Parses POST /api/v1/tts at the edge: the JSON body (spec §3.1, defaults from config `tts_defaults`) and
 * the delivery switches `response_mode` / `return_format` (query wins over body). Unknown body fields are
 * kept in the request so the service reports them, never dropped silently.
 */
import { z } from "zod";
import type { FieldIssue } from "../../domain/errors.js";
import { ttsFieldSchemas, type TtsDefaults } from "../../domain/tts-fields.js";
import type { TtsRequest } from "../../services/tts/tts-request.js";
import { toFieldIssues, validationFailed } from "./field-issues.js";
import {
  optionalFields,
  resolveDelivery,
  resolveProject,
  sentFields,
  withDefaults,
  type Delivery,
} from "./request-common.js";

export interface ParsedTtsRequest {
  request: TtsRequest;
  delivery: Delivery;
}

const optionalText = z.string({ error: "must be a string" }).nullish();

function bodySchema(maxTextLength: number) {
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
    ...optionalFields(ttsFieldSchemas),
  });
}

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
    const sent = sentFields(input.body, body);
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
