/**
 * Parses POST /api/v1/vc (spec §3.2) in both of its modes, validated alike (422, never the original's
 * 500): a JSON body naming both sources, or a multipart form with the `input_audio` file and the same fields
 * as text, which are coerced to their JSON types first. Defaults come from config `vc_defaults`.
 */
import { z } from "zod";
import type { FieldIssue } from "../../domain/errors.js";
import { vcFieldSchemas, type VcDefaults } from "../../domain/vc-fields.js";
import type { UploadedFile } from "../../services/library/audio-upload.js";
import type { VcRequest } from "../../services/vc/vc-request.js";
import { booleanWord } from "./boolean-words.js";
import { toFieldIssues, validationFailed } from "./field-issues.js";
import {
  optionalFields,
  resolveDelivery,
  resolveProject,
  sentFields,
  withDefaults,
  type Delivery,
} from "./request-common.js";

export interface ParsedVcRequest {
  request: VcRequest;
  delivery: Delivery;
}

const source = (field: string) =>
  z
    .string({ error: `${field} is required and must be a string` })
    .trim()
    .min(1, { error: "must not be empty" });
const optionalText = z.string({ error: "must be a string" }).nullish();

/** The JSON body (with the source named) or the form's fields; exported so GET /openapi.json shows these. */
export function vcBodySchema(withInputField: boolean) {
  return z.looseObject({
    ...(withInputField
      ? {
          input_audio_source: source("input_audio_source").describe(
            "The recording to convert: a file in vc_inputs/, or an http(s) URL when allowed.",
          ),
        }
      : {}),
    target_voice_source: source("target_voice_source").describe(
      "The voice to convert to: a file in reference_audio/, or an http(s) URL when allowed.",
    ),
    project: optionalText.describe("Folder under outputs/ where the files are saved (created when missing)."),
    folder: optionalText.describe("Another name for project; both with different values is an error."),
    response_mode: optionalText.describe(
      "How the answer comes back: stream, file or download send the audio; json or url describe every file. The query wins.",
    ),
    return_format: optionalText.describe(
      "Which of export_formats is sent in the audio modes; the first one when empty. The query wins.",
    ),
    ...optionalFields(vcFieldSchemas),
  });
}

/** Form text → the JSON type the field's default has, so one schema validates both modes. */
function coerceForm(fields: Record<string, unknown>, defaults: VcDefaults): Record<string, unknown> {
  const coerced: Record<string, unknown> = { ...fields };
  for (const [name, value] of Object.entries(fields)) {
    const example = (defaults as Record<string, unknown>)[name];
    if (typeof value !== "string" || example === undefined) continue;
    if (typeof example === "number" && value.trim() !== "" && !Number.isNaN(Number(value)))
      coerced[name] = Number(value);
    if (typeof example === "boolean") coerced[name] = booleanWord(value) ?? value;
    if (Array.isArray(example))
      coerced[name] = value
        .split(",")
        .map((item) => item.trim())
        .filter((item) => item !== "");
  }
  return coerced;
}

export function createVcRequestParser(defaults: VcDefaults) {
  const jsonSchema = vcBodySchema(true);
  const formSchema = vcBodySchema(false);
  const knownFields = new Set([...Object.keys(jsonSchema.shape), "input_audio"]);

  function parse(raw: Record<string, unknown>, query: Record<string, unknown>, upload?: UploadedFile): ParsedVcRequest {
    const parsed = (upload ? formSchema : jsonSchema).safeParse(raw);
    if (!parsed.success) throw validationFailed(toFieldIssues(parsed.error.issues, "body"));
    const body = parsed.data as z.output<typeof jsonSchema> & { input_audio_source?: string };
    const issues: FieldIssue[] = [];
    const project = resolveProject(body, issues);
    const options = withDefaults(body, defaults);
    if (options.overlap_sec >= options.chunk_sec) {
      const msg = `must be shorter than chunk_sec (${options.chunk_sec} s)`;
      issues.push({ loc: ["body", "overlap_sec"], msg, type: "value_error" });
    }
    const delivery = resolveDelivery(body, query, options.export_formats, issues);
    if (issues.length > 0 || !delivery) throw validationFailed(issues);
    const sent = sentFields(raw, body);
    return {
      request: {
        input: upload ?? body.input_audio_source ?? "",
        target: body.target_voice_source,
        project,
        options,
        explicitFields: new Set(sent.filter((key) => knownFields.has(key))),
        unknownFields: sent.filter((key) => !knownFields.has(key)),
      },
      delivery,
    };
  }

  return {
    /** JSON mode: both sources named in the body. */
    json: (body: unknown, query: Record<string, unknown>) => parse(asObject(body), query),
    /** Multipart mode: the uploaded `input_audio` and the form's text fields. */
    form: (fields: Record<string, unknown>, upload: UploadedFile, query: Record<string, unknown>) =>
      parse(coerceForm(fields, defaults), query, upload),
  };
}

function asObject(body: unknown): Record<string, unknown> {
  return typeof body === "object" && body !== null && !Array.isArray(body) ? (body as Record<string, unknown>) : {};
}
