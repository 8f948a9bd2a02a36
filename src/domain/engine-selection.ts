/**
 * Which of the loaded engines speaks for a request. Pure: callers decide what a miss means on their surface
 * (a 422 on /api/v1/tts, a fallback with a warning for OpenAI's model names).
 */
import {
  ENGINE_PREFERENCE,
  type EngineChoice,
  type EngineName,
  type LoadedEngines,
  type ModelInfo,
} from "./inference.js";

/**
 * The engine for `choice`: the default when there is none, the first loaded in preference order for `auto`,
 * else the named engine when it is loaded; undefined when it is not.
 */
export function findEngine(engines: LoadedEngines, choice: EngineChoice | undefined): ModelInfo | undefined {
  if (choice === undefined) return engines.default;
  const wanted = choice === "auto" ? ENGINE_PREFERENCE : [choice];
  for (const name of wanted) {
    const found = engines.loaded.find((info) => info.engine === name);
    if (found) return found;
  }
  return undefined;
}

/** The longest segment sent to `engine`: its announced limit, lowered by config, so it is never refused. */
export function segmentLimitOf(engine: ModelInfo, configuredMax: number): number {
  return Math.min(configuredMax, engine.maxSegmentChars);
}

/** Why `engine` cannot speak, and what can: "engine espeak is not loaded (…); loaded: piper, chatterbox". */
export function notLoadedMessage(engines: LoadedEngines, engine: EngineName): string {
  const unavailable = engines.unavailable.find((entry) => entry.engine === engine);
  const why = unavailable ? unavailable.reason : "it is not listed in config inference.engines";
  return `engine ${engine} is not loaded (${why}); loaded: ${engines.loaded.map((info) => info.engine).join(", ")}`;
}
