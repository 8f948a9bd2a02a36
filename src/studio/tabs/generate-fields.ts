/**
 * How the Generate form lays out the fields of `TtsRequest`: the everyday ones open, the rarely used ones folded
 * away. Any field the schema gains later and no group names still shows, under "Other", so no field is hidden.
 */
import { POST_PROCESSING_FIELDS } from "../../domain/post-processing-fields";
import type { ObjectSchema } from "../api/openapi";

export interface FieldGroup {
  title: string;
  fields: readonly string[];
  /** Folded into a <details> until opened. */
  folded: boolean;
}

/** Fields the page draws itself (text, voice, engine) or decides itself (how the answer comes back). */
const DRAWN_BY_PAGE = new Set([
  "text",
  "reference_audio_filename",
  "engine",
  "response_mode",
  "return_format",
  "progressive",
]);
/** `folder` is another name for `project`: offering both would only invite the 422 for differing values. */
const ALIASES = new Set(["folder"]);

const GROUPS: readonly FieldGroup[] = [
  { title: "Text and voice", fields: ["language"], folded: false },
  {
    title: "Expression",
    fields: ["exaggeration", "cfg_weight", "temperature", "seed", "speed_factor", "speed_factor_library"],
    folded: false,
  },
  {
    title: "Output",
    fields: ["export_formats", "caption_formats", "wav_sample_format", "project", "disable_watermark"],
    folded: true,
  },
  {
    title: "Whisper verification",
    fields: [
      "bypass_whisper_checking",
      "whisper_model_name",
      "num_candidates_per_chunk",
      "max_attempts_per_candidate",
      "use_faster_whisper",
      "use_longest_transcript_on_fail",
    ],
    folded: true,
  },
  {
    title: "Text processing",
    fields: [
      "enable_batching",
      "smart_batch_short_sentences",
      "to_lowercase",
      "normalize_spacing",
      "fix_dot_letters",
      "remove_reference_numbers",
      "sound_words_field",
    ],
    folded: true,
  },
  {
    title: "Post-processing",
    fields: [...POST_PROCESSING_FIELDS],
    folded: true,
  },
];

export function fieldGroups(schema: ObjectSchema): FieldGroup[] {
  const placed = new Set([...DRAWN_BY_PAGE, ...ALIASES, ...GROUPS.flatMap((group) => group.fields)]);
  const others = Object.keys(schema.properties).filter((name) => !placed.has(name));
  return others.length > 0 ? [...GROUPS, { title: "Other", fields: others, folded: true }] : [...GROUPS];
}

/** The file the player plays: the first format a browser decodes, lossless first. */
export const PLAYABLE_FORMATS = ["wav", "flac", "mp3", "opus", "aac"];
