/**
 * The voice names OpenAI's speech API documents (its enum plus fable, onyx and nova from the field's
 * description). Unmodified OpenAI clients send one of them, so each always resolves here: to the voice
 * config `openai.voice_aliases` gives it, else to the engine's built-in voice.
 */
export const OPENAI_VOICE_NAMES = [
  "alloy",
  "ash",
  "ballad",
  "coral",
  "echo",
  "fable",
  "nova",
  "onyx",
  "sage",
  "shimmer",
  "verse",
  "marin",
  "cedar",
] as const;

/** Every OpenAI voice name mapped to "" (the engine's built-in voice). */
export function defaultVoiceAliases(): Record<string, string> {
  return Object.fromEntries(OPENAI_VOICE_NAMES.map((name) => [name, ""]));
}
