/**
 * What a realtime session speaks with: the voice (resolved when it is set, so an unknown voice is refused at
 * once), the output encoding and the generation fields of /v1/audio/speech. Unset fields (null) keep the
 * server's defaults (config `tts_defaults`, then the voice's own defaults), as on /v1/audio/speech.
 */
import type { SpeechFields } from "../../services/openai/speech-request.js";
import type { ResolvedVoice } from "../../services/openai/voice-resolver.js";
import type { RealtimeFormat, SessionUpdateFields } from "./client-events.js";

/** The settings as events show them. */
export interface PublicSettings {
  /** The voice's id, or null for the engine's built-in voice. */
  voice: string | null;
  response_format: RealtimeFormat;
  speed: number | null;
  seed: number | null;
  exaggeration: number | null;
  cfg_weight: number | null;
  temperature: number | null;
  language: string | null;
}

export interface SessionSettings extends PublicSettings {
  /** A path in reference_audio/, or undefined for the engine's built-in voice. */
  referenceAudioFilename: string | undefined;
}

export const DEFAULT_SETTINGS: SessionSettings = {
  voice: null,
  referenceAudioFilename: undefined,
  response_format: "pcm",
  speed: null,
  seed: null,
  exaggeration: null,
  cfg_weight: null,
  temperature: null,
  language: null,
};

const GENERATION_FIELDS = ["speed", "seed", "exaggeration", "cfg_weight", "temperature", "language"] as const;

/**
 * The settings after `update`: fields it leaves out keep their value, null restores the default.
 * @throws what `resolveVoice` throws for a voice that is not there; nothing changes then.
 */
export function updateSettings(
  current: SessionSettings,
  update: SessionUpdateFields,
  resolveVoice: (voice: string | { id: string }) => ResolvedVoice,
): SessionSettings {
  const next: SessionSettings = { ...current };
  if (update.voice !== undefined) {
    const resolved = update.voice === null ? undefined : resolveVoice(update.voice);
    next.voice = resolved?.id ?? null;
    next.referenceAudioFilename = resolved?.referenceAudioFilename;
  }
  if (update.response_format !== undefined) next.response_format = update.response_format ?? "pcm";
  for (const field of GENERATION_FIELDS) {
    const value = update[field];
    if (value !== undefined) (next as unknown as Record<string, unknown>)[field] = value;
  }
  return next;
}

export function publicSettings(settings: SessionSettings): PublicSettings {
  const { referenceAudioFilename: _hidden, ...shown } = settings;
  return shown;
}

/** The /v1/audio/speech fields that speak `input` with these settings. */
export function speechFields(settings: SessionSettings, input: string): SpeechFields {
  return {
    input,
    referenceAudioFilename: settings.referenceAudioFilename,
    language: settings.language ?? undefined,
    speed: settings.speed ?? undefined,
    seed: settings.seed ?? undefined,
    exaggeration: settings.exaggeration ?? undefined,
    cfg_weight: settings.cfg_weight ?? undefined,
    temperature: settings.temperature ?? undefined,
  };
}
