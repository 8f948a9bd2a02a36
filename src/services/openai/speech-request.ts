/**
 * OpenAI-style speech fields (/v1/audio/speech and the realtime WebSocket) as the TTS request the pipeline
 * runs: `input` is the text, `speed` the speed factor, and the documented extensions (exaggeration,
 * cfg_weight, temperature, seed, language) keep their /api/v1/tts meaning. Everything else comes from config
 * `tts_defaults` and the voice's own default parameters, exactly as on /api/v1/tts.
 */
import type { EngineName } from "../../domain/inference.js";
import type { TtsDefaults, TtsFieldName } from "../../domain/tts-fields.js";
import type { TtsRequest } from "../tts/tts-request.js";

/** The generation fields an OpenAI-style client may set; unset ones keep the defaults. */
export interface SpeechOverrides {
  /** 0.25–4.0, OpenAI's `speed`. */
  speed?: number | undefined;
  exaggeration?: number | undefined;
  cfg_weight?: number | undefined;
  temperature?: number | undefined;
  /** 0 = random. */
  seed?: number | undefined;
}

export interface SpeechFields extends SpeechOverrides {
  input: string;
  /** A path in reference_audio/, or undefined for the engine's built-in voice. */
  referenceAudioFilename: string | undefined;
  /** ISO 639-1 code. */
  language?: string | undefined;
  /** The loaded engine that speaks (from `model`); undefined = the default. */
  engine?: EngineName | undefined;
  /** Body fields that are not part of the request, reported as warnings. */
  unknownFields?: readonly string[];
}

/** Our name for each OpenAI-style field. */
const TTS_NAMES: Readonly<Record<keyof SpeechOverrides, TtsFieldName>> = {
  speed: "speed_factor",
  exaggeration: "exaggeration",
  cfg_weight: "cfg_weight",
  temperature: "temperature",
  seed: "seed",
};

export function toTtsRequest(fields: SpeechFields, defaults: TtsDefaults): TtsRequest {
  const options: Record<string, unknown> = { ...defaults };
  const explicit = new Set<string>();
  for (const [name, ttsName] of Object.entries(TTS_NAMES) as Array<[keyof SpeechOverrides, TtsFieldName]>) {
    const value = fields[name];
    if (value === undefined) continue;
    options[ttsName] = value;
    explicit.add(ttsName);
  }
  return {
    text: fields.input,
    referenceAudioFilename: fields.referenceAudioFilename,
    project: undefined,
    language: fields.language,
    engine: fields.engine,
    options: options as TtsDefaults,
    explicitFields: explicit,
    unknownFields: fields.unknownFields ?? [],
  };
}
