/**
 * OpenAI's `instructions` ("speak in a calm voice") steer a language model; Chatterbox has two knobs instead,
 * exaggeration and cfg_weight. Instructions that name a tone are mapped to a documented preset (the values
 * Chatterbox's authors suggest for calm and for dramatic speech); anything else is reported, never pretended.
 */
import type { SpeechOverrides } from "./speech-request.js";

interface Preset {
  name: string;
  words: readonly string[];
  values: Pick<SpeechOverrides, "exaggeration" | "cfg_weight">;
}

export const INSTRUCTION_PRESETS: readonly Preset[] = [
  {
    name: "calm",
    words: ["calm", "neutral", "soft", "gentle", "monotone", "flat", "relaxed", "soothing", "quiet"],
    values: { exaggeration: 0.3 },
  },
  {
    name: "expressive",
    words: ["expressive", "excited", "dramatic", "energetic", "emotional", "enthusiastic", "cheerful", "animated"],
    values: { exaggeration: 0.8, cfg_weight: 0.3 },
  },
];

export interface InstructionOutcome {
  /** The preset used, if any. */
  preset: string | undefined;
  /** Its values; fields the request sets itself win over them. */
  values: Pick<SpeechOverrides, "exaggeration" | "cfg_weight">;
  warning: string | undefined;
}

const NONE: InstructionOutcome = { preset: undefined, values: {}, warning: undefined };

export function instructionPreset(instructions: string | undefined): InstructionOutcome {
  if (instructions === undefined || instructions.trim() === "") return NONE;
  const words = new Set(instructions.toLowerCase().match(/\p{L}+/gu) ?? []);
  const matched = INSTRUCTION_PRESETS.filter((preset) => preset.words.some((word) => words.has(word)));
  if (matched.length === 1) return { preset: matched[0]!.name, values: matched[0]!.values, warning: undefined };
  const why =
    matched.length > 1
      ? `they name both the ${matched.map((p) => p.name).join(" and ")} presets`
      : "only tone presets are understood (calm, expressive; see docs/api/openai.md)";
  return { ...NONE, warning: `instructions had no effect: ${why}` };
}
