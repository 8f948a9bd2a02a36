/**
 * Request options this server cannot honour yet. Each is reported in `warnings` when the client asked for
 * it, so nothing is ignored silently; options left at their defaults ask for nothing and stay quiet.
 */
import type { TtsRequest } from "./tts-request.js";

interface UnavailableFeature {
  /** Fields that only matter for this feature. */
  fields: readonly string[];
  /** True when the request asks for the feature; `sentFields` are the feature's fields the client sent. */
  requested(request: TtsRequest, sentFields: string[]): boolean;
  message: string;
}

const FEATURES: readonly UnavailableFeature[] = [
  {
    fields: ["bypass_whisper_checking", "whisper_model_name", "use_faster_whisper", "use_longest_transcript_on_fail"],
    requested: (r, sentFields) => !r.options.bypass_whisper_checking && sentFields.length > 0,
    message: "Whisper validation is not available on this server, so candidates were not transcribed or checked",
  },
  {
    fields: ["use_auto_editor", "keep_original_wav_ae", "ae_threshold", "ae_margin"],
    requested: (r) => r.options.use_auto_editor,
    message: "auto-editor silence removal is not available on this server (use `trim` instead)",
  },
  {
    fields: ["normalize_audio", "normalize_method", "normalize_level", "normalize_tp", "normalize_lra"],
    requested: (r) => r.options.normalize_audio,
    message: "loudness normalization is not available on this server yet",
  },
  {
    fields: ["sound_words_field"],
    requested: (r) => r.options.sound_words_field.trim() !== "",
    message: "sound-word replacement is not available on this server yet",
  },
];

/** Warnings about request fields that had no effect: unknown fields, then one per unavailable feature. */
export function unavailableOptionWarnings(request: TtsRequest): string[] {
  const warnings = request.unknownFields.map(
    (field) => `Unknown field '${field}' is not part of the TTS request and was not used`,
  );
  for (const feature of FEATURES) {
    const sentFields = feature.fields.filter((field) => request.explicitFields.has(field));
    if (feature.requested(request, sentFields)) {
      // A feature switched on by config `tts_defaults` rather than by the request is named by its main field.
      const named = sentFields.length > 0 ? sentFields : feature.fields.slice(0, 1);
      warnings.push(`${feature.message}; ${named.join(", ")} had no effect`);
    }
  }
  const candidates = request.options.num_candidates_per_chunk;
  if (candidates > 1 && request.explicitFields.has("num_candidates_per_chunk")) {
    warnings.push(
      `num_candidates_per_chunk=${candidates}: without a validator one candidate per chunk is generated, ` +
        "since extra candidates could never be chosen",
    );
  }
  return warnings;
}

/**
 * Names the parameters the client sent that the engine does not use (e.g. espeak has no cfg_weight).
 * The server always passes the contract defaults on, so a parameter the client left alone stays quiet.
 */
export function ignoredParameterWarning(request: TtsRequest, ignored: string[], engine: string): string | undefined {
  const sent = ignored.filter((name) => request.explicitFields.has(name));
  if (sent.length === 0) return undefined;
  return `the ${engine} engine does not use ${sent.join(", ")}; ${sent.length > 1 ? "they have" : "it has"} no effect`;
}

/** The watermark is decided by the engine; say so when that differs from what the request asked. */
export function watermarkWarning(disableWatermark: boolean, watermarked: boolean, engine: string): string | undefined {
  if (disableWatermark && watermarked) {
    return `the ${engine} engine always embeds the Perth watermark; disable_watermark=true could not be honoured`;
  }
  if (!disableWatermark && !watermarked) {
    return `the ${engine} engine does not embed a watermark; disable_watermark=false could not be honoured`;
  }
  return undefined;
}
