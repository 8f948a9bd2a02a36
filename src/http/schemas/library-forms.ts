/**
 * The fields of the library uploads (multipart forms) and of the voice metadata edit (JSON): folder paths
 * confined, booleans strict, tags as a comma list or an array, and `default_parameters` checked against the
 * TTS request fields so a voice can never carry a default a request would refuse.
 */
import { z } from "zod";
import { BadRequestError, ValidationError } from "../../domain/errors.js";
import { ttsFieldSchemas, type TtsDefaults } from "../../domain/tts-fields.js";
import { safeSegments } from "../../storage/confine.js";
import type { VoiceMetadataPatch } from "../../services/library/voice-library.js";
import { toFieldIssues, validationFailed } from "./field-issues.js";

const TRUE_WORDS = ["true", "1", "yes", "on"];
const FALSE_WORDS = ["false", "0", "no", "off"];

/** A form boolean (`true/1/yes/on`, `false/0/no/off`); absent is false; anything else is a 422. */
export function formBoolean(value: string | undefined, field: string): boolean {
  if (value === undefined) return false;
  const word = value.toLowerCase();
  if (TRUE_WORDS.includes(word)) return true;
  if (FALSE_WORDS.includes(word)) return false;
  throw new ValidationError(`${field}: must be true or false`, [
    { loc: ["body", field], msg: "must be true or false", type: "bool_parsing" },
  ]);
}

/** A client folder below a library root, confined (400 on traversal); '' or absent is the root. */
export function folderField(value: string | null | undefined, field: string): string {
  return value ? safeSegments(value, field).join("/") : "";
}

/** `a, b,,c` → ["a", "b", "c"]. */
export function tagList(value: string | undefined): string[] {
  return (value ?? "")
    .split(",")
    .map((tag) => tag.trim())
    .filter((tag) => tag !== "");
}

const defaultParametersSchema = z.strictObject(
  Object.fromEntries(Object.entries(ttsFieldSchemas).map(([name, schema]) => [name, schema.optional()])) as {
    [K in keyof typeof ttsFieldSchemas]: z.ZodOptional<(typeof ttsFieldSchemas)[K]>;
  },
);

/** Validates a voice's default request parameters (names and ranges of POST /api/v1/tts). */
export function defaultParameters(value: unknown, loc: Array<string | number>): Partial<TtsDefaults> {
  const parsed = defaultParametersSchema.safeParse(value);
  if (parsed.success) return parsed.data as Partial<TtsDefaults>;
  const issues = toFieldIssues(parsed.error.issues, "body").map((issue) => ({
    ...issue,
    loc: [...loc, ...issue.loc.slice(1)],
  }));
  throw validationFailed(issues);
}

/** The form's `default_parameters`: a JSON object in a text field (400 when it is not JSON, as the original). */
export function defaultParametersField(value: string | undefined): Partial<TtsDefaults> {
  if (value === undefined) return {};
  let json: unknown;
  try {
    json = JSON.parse(value);
  } catch {
    throw new BadRequestError("Invalid JSON in default_parameters field", "INVALID_JSON");
  }
  return defaultParameters(json, ["body", "default_parameters"]);
}

const metadataSchema = z.strictObject({
  name: z.string({ error: "must be a string" }).trim().min(1, { error: "must not be empty" }).max(200).optional(),
  description: z.string({ error: "must be a string" }).max(2000).optional(),
  tags: z.union([z.array(z.string()), z.string()], { error: "must be a list of strings or a comma list" }).optional(),
  folder_path: z.string({ error: "must be a string" }).nullable().optional(),
  default_parameters: z.unknown().optional(),
});

/** The body of PUT /api/v1/voice/{path}/metadata; null and absent fields are left as they are. */
export function parseVoiceMetadataPatch(body: unknown): VoiceMetadataPatch {
  const parsed = metadataSchema.safeParse(body);
  if (!parsed.success) throw validationFailed(toFieldIssues(parsed.error.issues, "body"));
  const { name, description, tags, folder_path: folder, default_parameters: defaults } = parsed.data;
  return {
    name,
    description,
    tags:
      tags === undefined
        ? undefined
        : Array.isArray(tags)
          ? tags.map((t) => t.trim()).filter((t) => t !== "")
          : tagList(tags),
    folder: folder === undefined ? undefined : folderField(folder, "folder_path"),
    defaultParameters:
      defaults === undefined || defaults === null
        ? undefined
        : defaultParameters(defaults, ["body", "default_parameters"]),
  };
}
