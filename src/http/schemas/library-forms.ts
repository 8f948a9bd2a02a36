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
import { booleanWord } from "./boolean-words.js";
import { toFieldIssues, validationFailed } from "./field-issues.js";

/** A form boolean (`true/1/yes/on`, `false/0/no/off`); absent is false; anything else is a 422. */
export function formBoolean(value: string | undefined, field: string): boolean {
  if (value === undefined) return false;
  const parsed = booleanWord(value);
  if (parsed !== undefined) return parsed;
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

// null means "leave as it is" like an absent field (spec §3.6); "" as folder_path means the root.
export const voiceMetadataSchema = z.strictObject({
  name: z.string({ error: "must be a string" }).trim().min(1, { error: "must not be empty" }).max(200).nullish(),
  description: z.string({ error: "must be a string" }).max(2000).nullish(),
  tags: z.union([z.array(z.string()), z.string()], { error: "must be a list of strings or a comma list" }).nullish(),
  folder_path: z.string({ error: "must be a string" }).nullish(),
  default_parameters: z.unknown().optional(),
});

/** The body of PUT /api/v1/voice/{path}/metadata; null and absent fields are left as they are. */
export function parseVoiceMetadataPatch(body: unknown): VoiceMetadataPatch {
  const parsed = voiceMetadataSchema.safeParse(body);
  if (!parsed.success) throw validationFailed(toFieldIssues(parsed.error.issues, "body"));
  const { name, description, tags, folder_path: folder, default_parameters: defaults } = parsed.data;
  return {
    name: name ?? undefined,
    description: description ?? undefined,
    tags: tags == null ? undefined : tagList(Array.isArray(tags) ? tags.join(",") : tags),
    folder: folder == null ? undefined : folderField(folder, "folder_path"),
    defaultParameters: defaults == null ? undefined : defaultParameters(defaults, ["body", "default_parameters"]),
  };
}

/** An upload's folder: `folder_path`, or its alias `project`; both given and different is a 422. */
export function uploadFolder(folderPath: string | undefined, project: string | undefined): string {
  if (folderPath && project && folderPath !== project) {
    throw new ValidationError("project: must equal 'folder_path' when both are given", [
      { loc: ["body", "project"], msg: "must equal 'folder_path' when both are given", type: "value_error" },
    ]);
  }
  return folderField(folderPath ?? project, "folder_path");
}
