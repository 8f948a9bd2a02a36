/**
 * The multipart fields of OpenAI's /v1/audio/transcriptions and /translations, validated together (every
 * problem in one 400). Fields this server does not know are reported as warnings, never dropped silently.
 */
import type { Context } from "koa";
import { z } from "zod";
import { TRANSCRIPT_FORMATS } from "../present/transcript-formats.js";
import { toFieldIssues, validationFailed } from "./field-issues.js";

const GRANULARITIES = ["word", "segment"] as const;
const FILE_FIELD = "file";

const commonShape = {
  model: z.string({ error: "is required (e.g. whisper-1, base or tiny.en)" }).min(1, { error: "is required" }),
  prompt: z.string().optional(),
  response_format: z
    .enum(TRANSCRIPT_FORMATS, { error: `must be one of ${TRANSCRIPT_FORMATS.join(", ")}` })
    .default("json"),
  temperature: z.coerce
    .number({ error: "must be a number" })
    .min(0, { error: "must be between 0 and 1" })
    .max(1, { error: "must be between 0 and 1" })
    .optional(),
};

const transcriptionShape = {
  ...commonShape,
  language: z
    .string()
    .regex(/^[a-z]{2,3}$/i, { error: "must be an ISO-639-1 code such as en or fr" })
    .transform((code) => code.toLowerCase())
    .optional(),
  "timestamp_granularities[]": z
    .array(z.enum(GRANULARITIES, { error: `must be ${GRANULARITIES.join(" or ")}` }))
    .optional(),
  stream: z.enum(["true", "false"], { error: "must be true or false" }).optional(),
};

export const transcriptionSchema = z.object(transcriptionShape).superRefine((form, context) => {
  if (form["timestamp_granularities[]"] && form.response_format !== "verbose_json") {
    context.addIssue({
      code: "custom",
      path: ["timestamp_granularities[]"],
      message: "needs response_format verbose_json",
    });
  }
  if (form.stream === "true" && form.response_format !== "json" && form.response_format !== "text") {
    context.addIssue({ code: "custom", path: ["stream"], message: "streams only the json or text formats" });
  }
});
export const translationSchema = z.object(commonShape);

export type TranscriptionForm = z.output<typeof transcriptionSchema>;
export type TranslationForm = z.output<typeof translationSchema>;

export interface ParsedForm<T> {
  form: T;
  /** Fields the endpoint does not know, with words for the client. */
  warnings: string[];
}

export function parseTranscriptionForm(ctx: Context): ParsedForm<TranscriptionForm> {
  return parseForm(ctx, transcriptionSchema, Object.keys(transcriptionShape));
}

export function parseTranslationForm(ctx: Context): ParsedForm<TranslationForm> {
  return parseForm(ctx, translationSchema, Object.keys(commonShape));
}

function parseForm<S extends z.ZodType>(ctx: Context, schema: S, known: string[]): ParsedForm<z.output<S>> {
  const raw = normalisedFields(ctx);
  const parsed = schema.safeParse(raw);
  if (!parsed.success) throw validationFailed(toFieldIssues(parsed.error.issues, "body"));
  const unknown = Object.keys(raw).filter((name) => !known.includes(name) && name !== FILE_FIELD);
  const warnings = unknown.map((name) => `the field '${name}' is not supported by this endpoint and had no effect`);
  return { form: parsed.data, warnings };
}

/** Form fields with blanks dropped; the list field accepted with or without its `[]`, once or repeated. */
function normalisedFields(ctx: Context): Record<string, unknown> {
  const body = (ctx.request.body as Record<string, unknown> | undefined) ?? {};
  const fields: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(body)) {
    const key = name === "timestamp_granularities" ? "timestamp_granularities[]" : name;
    const values = (Array.isArray(value) ? value : [value]).filter((v) => typeof v !== "string" || v.trim() !== "");
    if (values.length === 0) continue;
    fields[key] = key === "timestamp_granularities[]" ? values : values.length === 1 ? values[0] : values;
  }
  return fields;
}
