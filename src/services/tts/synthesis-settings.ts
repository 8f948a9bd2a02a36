/** What every synthesis call of one TTS request shares, whichever way its segments are sent. */
import type { AudioInput, EngineName, SynthesisInput } from "../../domain/inference.js";
import type { TtsRequest } from "./tts-request.js";

export interface SynthesisSettingsSpec {
  request: TtsRequest;
  voice: AudioInput | undefined;
  /** The loaded engine that speaks; undefined = the default engine. */
  engine: EngineName | undefined;
}

/** The voice, sampling parameters, language, speed and engine of a request, in the backend's terms. */
export function synthesisSettings({ request, voice, engine }: SynthesisSettingsSpec): Omit<SynthesisInput, "segments"> {
  const opts = request.options;
  return {
    voice,
    params: { exaggeration: opts.exaggeration, cfgWeight: opts.cfg_weight, temperature: opts.temperature },
    language: request.language,
    speed: opts.speed_factor === 1 ? undefined : opts.speed_factor,
    stretchLibrary: opts.speed_factor_library,
    ...(engine === undefined ? {} : { engine }),
  };
}
