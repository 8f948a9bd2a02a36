/**
 * The fields both concat endpoints share (spec §3.17, §3.18), their defaults and the rules across them:
 * the pause variation must stay below the pause (an omitted variation defaults to min(200, pause/2), so short
 * pauses work), and `response_mode` comes from the query or the body.
 */
import { z } from "zod";
import type { FieldIssue } from "../../domain/errors.js";
import { between, intBetween, MAX_SEED, ttsFieldSchemas } from "../../domain/tts-fields.js";
import type { ConcatSettings, ConcatSource } from "../../services/concat/concat-request.js";
import { silenceInRange, silenceRangeMessage } from "../../services/concat/silence-notation.js";
import { resolveDelivery, resolveProject, type Delivery } from "./request-common.js";

const bool = z.boolean({ error: "must be true or false" });
const optionalText = z.string({ error: "must be a string" }).nullish();

/** Every shared field, each optional: null or absent means its default. */
export const concatCommonShape = {
  project: optionalText.describe("Folder under outputs/ where the result is saved (created when missing)."),
  folder: optionalText.describe("Another name for project; both with different values is an error."),
  response_mode: optionalText.describe(
    "How the answer comes back: stream, file or download send the audio; json or url describe the files. The query wins.",
  ),
  export_formats: ttsFieldSchemas.export_formats.nullish(),
  wav_sample_format: ttsFieldSchemas.wav_sample_format.nullish(),
  normalize_levels: bool.nullish().describe("Bring every clip to the same level (-20 dBFS RMS) before joining."),
  crossfade_ms: intBetween(0, 5000)
    .nullish()
    .describe("Milliseconds by which neighbouring clips overlap and fade into each other (0 to 5000)."),
  pause_duration_ms: intBetween(0, 3000)
    .nullish()
    .describe("A natural pause of about this many ms between clips (0 to 3000); 0 for none."),
  pause_variation_ms: intBetween(0, 500)
    .nullish()
    .describe(
      "The most, in ms, a pause may be shorter or longer; less than the pause. Half the pause up to 200 when left out.",
    ),
  trim: bool.nullish().describe("Cut each clip's leading and trailing silence before joining."),
  trim_threshold_ms: intBetween(50, 1000)
    .nullish()
    .describe("Trimming: how many ms of each clip's silence are kept at either end."),
  seed: intBetween(0, MAX_SEED).nullish().describe("Seeds the pause lengths; 0 draws one, returned as seed_used."),
  loudness_target_lufs: between(-70, -5)
    .nullish()
    .describe("Bring the whole result to this loudness in LUFS (EBU R128); empty leaves it as it is."),
  output_filename: z
    .string({ error: "must be a string" })
    .trim()
    .max(200, { error: "at most 200 characters" })
    .nullish()
    .describe("A name for the result instead of a generated one; each format gets its own extension."),
  overwrite: bool.nullish().describe("With output_filename: replace files of that name instead of answering 409."),
};

type CommonBody = z.output<z.ZodObject<typeof concatCommonShape>>;

/** The contract's defaults (spec §3.17), in the order the metadata lists them. */
export const CONCAT_DEFAULTS: ConcatSettings = {
  export_formats: ["wav"],
  wav_sample_format: "f32",
  normalize_levels: true,
  crossfade_ms: 0,
  pause_duration_ms: 0,
  // Derived from the pause when not sent (pauseVariation).
  pause_variation_ms: 0,
  seed: 0,
  trim: false,
  trim_threshold_ms: 200,
  loudness_target_lufs: null,
  output_filename: null,
  overwrite: false,
};

const DEFAULT_VARIATION_MS = 200;

export interface ResolvedCommon {
  settings: ConcatSettings;
  project: string | undefined;
  delivery: Delivery;
}

/** Settings with defaults, the project and the delivery; problems go to `issues` (undefined then). */
export function resolveCommon(
  body: CommonBody,
  query: Record<string, unknown>,
  issues: FieldIssue[],
): ResolvedCommon | undefined {
  const project = resolveProject(body, issues);
  const filled = { ...CONCAT_DEFAULTS } as Record<string, unknown>;
  for (const name of Object.keys(CONCAT_DEFAULTS)) {
    const value = (body as Record<string, unknown>)[name];
    if (value != null) filled[name] = value;
  }
  const settings = filled as unknown as ConcatSettings;
  settings.pause_variation_ms = pauseVariation(body, settings.pause_duration_ms, issues);
  // Only response_mode: a concat answer streams only when it made one file, so there is no format to pick.
  const delivery = resolveDelivery(
    { response_mode: body.response_mode },
    { response_mode: query.response_mode },
    settings.export_formats,
    issues,
  );
  return delivery && issues.length === 0 ? { settings, project, delivery } : undefined;
}

function pauseVariation(body: CommonBody, pause: number, issues: FieldIssue[]): number {
  const sent = body.pause_variation_ms;
  if (sent == null) return Math.min(DEFAULT_VARIATION_MS, Math.floor(pause / 2));
  if (pause > 0 && sent >= pause) {
    issues.push({
      loc: ["body", "pause_variation_ms"],
      msg: "Pause variation must be less than base pause duration when pause is enabled",
      type: "value_error",
    });
  }
  return sent;
}

/** A JSON body that is not an object is read as an empty one, so its missing fields are what is reported. */
export function asObject(body: unknown): Record<string, unknown> {
  return typeof body === "object" && body !== null && !Array.isArray(body) ? (body as Record<string, unknown>) : {};
}

/** The rules on the whole sequence: some audio, and (the basic endpoint) two clips unless a silence joins one. */
export function sequenceIssues(
  sources: readonly ConcatSource[],
  rule: { at: Array<string | number>; requirePair: boolean; noun: string },
): FieldIssue[] {
  const audio = sources.filter((source) => source.kind !== "silence").length;
  const silences = sources.length - audio;
  const issue = (msg: string): FieldIssue[] => [{ loc: rule.at, msg, type: "value_error" }];
  if (audio === 0) return issue(`At least one audio ${rule.noun} required (silence-only concatenation not allowed)`);
  if (rule.requirePair && silences === 0 && audio < 2) {
    return issue("At least 2 files required for concatenation when not using manual silence");
  }
  return [];
}

/** A silence token's issues: out of range is the original's message. */
export function silenceIssues(notation: string, ms: number, at: Array<string | number>): FieldIssue[] {
  return silenceInRange(ms) ? [] : [{ loc: at, msg: silenceRangeMessage(notation), type: "value_error" }];
}
