/**
 * The parameters of OpenAI's voice routes: the paging query of GET /v1/audio/voices (`limit`, `after`) and the
 * multipart form of POST /v1/audio/voices (`name`, `audio_sample`, `consent`, and our `folder` and
 * `description`). Every problem is reported in one 400; parameters the routes do not know become warnings.
 */
import type { Context } from "koa";
import { z } from "zod";
import { ValidationError, type FieldIssue } from "../../domain/errors.js";
import type { UploadedFile } from "../../services/library/audio-upload.js";
import { uploadedFile } from "../middleware/multipart.js";
import { toFieldIssues, validationFailed } from "./field-issues.js";
import { folderField } from "./library-forms.js";

export const VOICE_SAMPLE_FIELD = "audio_sample";
const MAX_LIMIT = 100;

const once = z.string({ error: "must be given once" });

export const voiceListQueryShape = {
  limit: z.coerce
    .number({ error: `must be an integer from 1 to ${MAX_LIMIT}` })
    .int({ error: `must be an integer from 1 to ${MAX_LIMIT}` })
    .min(1, { error: `must be an integer from 1 to ${MAX_LIMIT}` })
    .max(MAX_LIMIT, { error: `must be an integer from 1 to ${MAX_LIMIT}` })
    // Most libraries fit in one page, so clients that never page still see every voice.
    .default(MAX_LIMIT),
  after: once.min(1, { error: "must not be empty" }).optional(),
};

export const voiceFormShape = {
  name: z
    .string({ error: "is required" })
    .trim()
    .min(1, { error: "is required" })
    .max(200, { error: "must be at most 200 characters" }),
  consent: once.optional(),
  folder: once.optional(),
  description: once.max(2000, { error: "must be at most 2000 characters" }).optional(),
};

export interface Parsed<T> {
  value: T;
  /** Parameters the route does not know, in words for the client. */
  warnings: string[];
}

export function parseVoiceListQuery(query: Record<string, unknown>): Parsed<{ limit: number; after?: string }> {
  const parsed = z.object(voiceListQueryShape).safeParse(query);
  if (!parsed.success) throw validationFailed(toFieldIssues(parsed.error.issues, "query"));
  return { value: parsed.data, warnings: unknownNames(query, Object.keys(voiceListQueryShape), "query parameter") };
}

export interface VoiceForm {
  name: string;
  sample: UploadedFile;
  consent: string | undefined;
  folder: string;
  description: string | undefined;
}

/** The form of POST /v1/audio/voices; a missing name and a missing sample are reported together. */
export function parseVoiceForm(ctx: Context): Parsed<VoiceForm> {
  const body = (ctx.request.body as Record<string, unknown> | undefined) ?? {};
  const fields = Object.fromEntries(Object.entries(body).filter(([, value]) => value !== ""));
  const parsed = z.object(voiceFormShape).safeParse(fields);
  const issues: FieldIssue[] = parsed.success ? [] : toFieldIssues(parsed.error.issues, "body");
  const sample = sampleOrIssues(ctx, issues);
  if (!parsed.success || sample === undefined) throw validationFailed(issues);
  const { name, consent, folder, description } = parsed.data;
  const value = { name, sample, consent, folder: folderField(folder, "folder"), description };
  return { value, warnings: unknownNames(fields, Object.keys(voiceFormShape), "field") };
}

function sampleOrIssues(ctx: Context, issues: FieldIssue[]): UploadedFile | undefined {
  try {
    return uploadedFile(ctx, VOICE_SAMPLE_FIELD);
  } catch (error) {
    if (!(error instanceof ValidationError) || !Array.isArray(error.detail)) throw error;
    issues.push(...error.detail);
    return undefined;
  }
}

function unknownNames(given: Record<string, unknown>, known: string[], what: string): string[] {
  return Object.keys(given)
    .filter((name) => !known.includes(name))
    .map((name) => `the ${what} '${name}' is not supported by this endpoint and had no effect`);
}
