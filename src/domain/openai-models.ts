/** OpenAI's speech model names, and which of our engines speaks for each unless config says otherwise. */
import type { EngineName } from "./inference.js";

/** OpenAI's speech model names (the Node SDK's `SpeechModel`). */
export const OPENAI_SPEECH_MODELS = ["tts-1", "tts-1-hd", "gpt-4o-mini-tts", "gpt-4o-mini-tts-2025-12-15"] as const;
export type OpenAiSpeechModel = (typeof OPENAI_SPEECH_MODELS)[number];

/** An engine, or "default": the server's default engine (config inference.engine, after auto's fallbacks). */
export type ModelEngine = "default" | EngineName;

/**
 * OpenAI's fast model goes to the fast CPU engine, its quality and steerable models to the cloning one. An
 * engine that is not loaded falls back to the default engine, with a warning.
 */
export const DEFAULT_MODEL_ENGINES: Readonly<Record<OpenAiSpeechModel, ModelEngine>> = {
  "tts-1": "piper",
  "tts-1-hd": "chatterbox",
  "gpt-4o-mini-tts": "chatterbox",
  "gpt-4o-mini-tts-2025-12-15": "chatterbox",
};
