/**
 * Parses POST /api/v1/tts at the edge: the JSON body (spec §3.1, defaults from config `tts_defaults`) and
 * the delivery switches `response_mode` / `return_format` (query wins over body). Unknown body fields are
 * kept in the request so the service reports them, never dropped silently.
 */
import { z } from "zod";
import { CAPTION_FORMATS } from "../../text/captions.js";
import type { FieldIssue } from "../../domain/errors.js";
import { ENGINE_PREFERENCE } from "../../domain/inference.js";
import { ttsFieldSchemas, type TtsDefaults } from "../../domain/tts-fields.js";
import type { TtsRequest } from "../../services/tts/tts-request.js";
import { booleanWord } from "./boolean-words.js";
import { toFieldIssues, validationFailed } from "./field-issues.js";
import { languageCode } from "./speech-fields.js";
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
  /** Stream the audio as it is produced (`progressive=true`, stream mode only) instead of a finished file. */
  progressive: boolean;
}

const optionalText = z.string({ error: "must be a string" }).nullish();

/** The JSON body; exported so GET /openapi.json describes the very schema that parses it. */
export function ttsBodySchema(maxTextLength: number) {
  return z.looseObject({
    text: z
      .string({ error: "is required and must be a string" })
      .trim()
      .min(1, { error: "Text must be non-empty" })
      .max(maxTextLength, { error: `Text too long. Maximum length: ${maxTextLength} characters` })
      .describe("The text to speak. Long text is split at sentences, then clauses and words; nothing is dropped."),
    reference_audio_filename: optionalText.describe(
      "The voice to speak in: a file in reference_audio/ (the extension may be left off), or an http(s) URL when allowed.",
    ),
    project: optionalText.describe("Folder under outputs/ where the files are saved (created when missing)."),
    folder: optionalText.describe("Another name for project; both with different values is an error."),
    language: languageCode.optional().describe("Language of the text as a two-letter ISO 639-1 code, e.g. 'en'."),
    engine: z
      .enum(["auto", ...ENGINE_PREFERENCE], { error: `must be auto, ${ENGINE_PREFERENCE.join(", ")}` })
      .nullish()
      .describe(
        "The engine that speaks; empty uses the server's default, 'auto' the first loaded of chatterbox, piper, espeak.",
      ),
    response_mode: optionalText.describe(
      "How the answer comes back: stream, file or download send the audio; json or url describe every file. The query wins.",
    ),
    return_format: optionalText.describe(
      "Which of export_formats is sent in the audio modes; the first one when empty. The query wins.",
    ),
    progressive: z
      .boolean({ error: "must be true or false" })
      .nullish()
      .describe("Stream the audio while it is being spoken (response_mode stream only) instead of a finished file."),
    ...optionalFields(ttsFieldSchemas),
  });
}

export interface TtsRequestParserOptions {
  defaults: TtsDefaults;
  maxTextLength: number;
}

export function createTtsRequestParser({ defaults, maxTextLength }: TtsRequestParserOptions) {
  const schema = ttsBodySchema(maxTextLength);
  const knownFields = new Set(Object.keys(schema.shape));

  return function parseTtsRequest(input: { body: unknown; query: Record<string, unknown> }): ParsedTtsRequest {
    const raw = withCaptionsSeparated(input.body);
    const parsed = schema.safeParse(raw);
    if (!parsed.success) throw validationFailed(toFieldIssues(parsed.error.issues, "body"));
    const body = parsed.data;
    const issues: FieldIssue[] = [];
    const project = resolveProject(body, issues);
    const options = withDefaults(body, defaults);
    const delivery = resolveDelivery(body, input.query, options.export_formats, issues);
    const progressive = resolveProgressive(body, input.query, issues);
    if (issues.length > 0 || !delivery) throw validationFailed(issues);
    const sent = sentFields(raw, body);
    return {
      request: {
        text: body.text,
        referenceAudioFilename: body.reference_audio_filename?.trim() || undefined,
        project,
        language: body.language,
        engine: body.engine ?? undefined,
        options,
        explicitFields: new Set(sent.filter((key) => knownFields.has(key))),
        unknownFields: sent.filter((key) => !knownFields.has(key)),
      },
      delivery,
      progressive,
    };
  };
}

/**
 * `progressive` (query wins over body): opt-in, because the legacy stream mode sends a finished, saved file.
 * Only the stream mode can be progressive.
 */
function resolveProgressive(
  body: { progressive?: boolean | null; response_mode?: string | null },
  query: Record<string, unknown>,
  issues: FieldIssue[],
): boolean {
  const raw = query.progressive;
  const fromQuery = typeof raw === "string" ? booleanWord(raw) : undefined;
  if (raw !== undefined && fromQuery === undefined) {
    issues.push({ loc: ["query", "progressive"], msg: "must be true or false", type: "value_error" });
    return false;
  }
  const progressive = fromQuery ?? body.progressive ?? false;
  const mode = String(query.response_mode ?? body.response_mode ?? "stream").toLowerCase();
  if (progressive && mode !== "stream") {
    const where = raw !== undefined ? "query" : "body";
    issues.push({ loc: [where, "progressive"], msg: "needs response_mode=stream", type: "value_error" });
  }
  return progressive;
}

/**
 * `export_formats` may name caption formats beside the audio ones: they move to `caption_formats`, so
 * export_formats keeps meaning audio everywhere else (return_format, encoders).
 */
function withCaptionsSeparated(body: unknown): unknown {
  if (typeof body !== "object" || body === null || !Array.isArray((body as Record<string, unknown>).export_formats)) {
    return body;
  }
  const { export_formats: formats, caption_formats: captions, ...rest } = body as Record<string, unknown>;
  const isCaption = (format: unknown) =>
    typeof format === "string" && (CAPTION_FORMATS as readonly string[]).includes(format.toLowerCase());
  const named = (formats as unknown[]).filter(isCaption).map((format) => (format as string).toLowerCase());
  if (named.length === 0) return body;
  const merged = [...new Set([...(Array.isArray(captions) ? captions : []), ...named])];
  return {
    ...rest,
    export_formats: (formats as unknown[]).filter((format) => !isCaption(format)),
    caption_formats: merged,
  };
}
