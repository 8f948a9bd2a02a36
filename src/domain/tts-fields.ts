/**
 * The fields of a TTS request that have defaults, with their wire names, types and ranges
 * (spec §3.1). Shared by the config (`tts_defaults`, which must satisfy the same rules) and by the HTTP
 * request schema, so a range is written once.
 */
import { z } from "zod";
import { CAPTION_FORMATS } from "../text/captions.js";
import { parseSoundWordRules, SoundWordRuleError } from "../text/sound-words.js";

/** Formats a request may ask for: `opus` is Ogg Opus, `aac` an M4A file, `pcm` raw 16-bit little-endian samples. */
export const EXPORT_FORMATS = ["wav", "mp3", "flac", "opus", "aac", "pcm"] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

/** Sample encodings of WAV exports: 32-bit float (lossless against the engine), or 16/24-bit integer PCM. */
export const WAV_SAMPLE_FORMATS = ["f32", "s16", "s24"] as const;
export type WavSampleFormat = (typeof WAV_SAMPLE_FORMATS)[number];

/**
 * The original's five names, plus faster-whisper's English-only and versioned ones. A name that is not
 * installed is not refused: the sidecar falls back to the nearest installed model, with a warning.
 */
export const WHISPER_MODELS = [
  "tiny",
  "base",
  "small",
  "medium",
  "large",
  "tiny.en",
  "base.en",
  "small.en",
  "medium.en",
  "large-v1",
  "large-v2",
  "large-v3",
  "turbo",
] as const;
export const SPEED_LIBRARIES = ["auto", "audiostretchy", "sox", "librosa", "torchaudio"] as const;
export const NORMALIZE_METHODS = ["ebu", "peak"] as const;
/** Largest seed: seeds cross the gRPC boundary as uint32 (numpy accepts seeds below 2^32 too). */
export const MAX_SEED = 0xffff_ffff;

export function between(min: number, max: number) {
  const message = `must be between ${min} and ${max}`;
  return z.number({ error: "must be a number" }).min(min, { error: message }).max(max, { error: message });
}

export function intBetween(min: number, max: number) {
  return between(min, max).int({ error: "must be an integer" });
}

const bool = () => z.boolean({ error: "must be true or false" });

/** Export formats are case-insensitive on the wire and lower-cased here. */
const exportFormat = z
  .string({ error: "must be a string" })
  .transform((value) => value.toLowerCase())
  .pipe(z.enum(EXPORT_FORMATS, { error: (issue) => `Unsupported audio format: ${String(issue.input)}` }));

export const ttsFieldSchemas = {
  exaggeration: between(0, 2),
  temperature: between(0.1, 2),
  seed: intBetween(0, MAX_SEED),
  cfg_weight: between(0, 2),
  num_candidates_per_chunk: intBetween(1, 10),
  max_attempts_per_candidate: intBetween(1, 10),
  bypass_whisper_checking: bool(),
  whisper_model_name: z.enum(WHISPER_MODELS, { error: (issue) => `Invalid Whisper model: ${String(issue.input)}` }),
  use_faster_whisper: bool(),
  use_longest_transcript_on_fail: bool(),
  enable_batching: bool(),
  smart_batch_short_sentences: bool(),
  to_lowercase: bool(),
  normalize_spacing: bool(),
  fix_dot_letters: bool(),
  remove_reference_numbers: bool(),
  use_auto_editor: bool(),
  keep_original_wav_ae: bool(),
  ae_threshold: between(0, 1),
  ae_margin: between(0, 1),
  normalize_audio: bool(),
  normalize_method: z.enum(NORMALIZE_METHODS, { error: "must be 'ebu' or 'peak'" }),
  normalize_level: between(-70, -5),
  normalize_tp: between(-9, 0),
  normalize_lra: between(1, 50),
  sound_words_field: z.string({ error: "must be a string" }).superRefine((field, context) => {
    // Rules are checked with the other fields, so a bad line is a 422 before any work (and a voice's stored
    // default with a bad line is skipped like any invalid default).
    try {
      parseSoundWordRules(field);
    } catch (error) {
      if (!(error instanceof SoundWordRuleError)) throw error;
      context.addIssue({ code: "custom", message: error.issue });
    }
  }),
  // OpenAI's range; the sidecar chains stretches where one library's range is narrower.
  speed_factor: between(0.25, 4),
  speed_factor_library: z.enum(SPEED_LIBRARIES, { error: `must be one of ${SPEED_LIBRARIES.join(", ")}` }),
  trim: bool(),
  trim_threshold_ms: intBetween(50, 1000),
  export_formats: z.array(exportFormat, { error: "must be a list of formats" }).min(1, {
    // Captions (srt, vtt) are made beside the audio, so they do not count.
    error: "at least one audio export format is required",
  }),
  // Captions from the segments' timings, published beside the audio (export_formats may name them too).
  caption_formats: z.array(z.enum(CAPTION_FORMATS, { error: `must be one of ${CAPTION_FORMATS.join(", ")}` }), {
    error: "must be a list of caption formats",
  }),
  disable_watermark: bool(),
  wav_sample_format: z.enum(WAV_SAMPLE_FORMATS, { error: `must be one of ${WAV_SAMPLE_FORMATS.join(", ")}` }),
} as const;

export type TtsFieldName = keyof typeof ttsFieldSchemas;

/** The values of every defaulted field, keyed by wire name. */
export type TtsDefaults = { [K in TtsFieldName]: z.output<(typeof ttsFieldSchemas)[K]> };

/** The contract's defaults (spec §3.1); config.yaml `tts_defaults` may override any of them. */
export const CONTRACT_TTS_DEFAULTS: TtsDefaults = {
  exaggeration: 0.5,
  temperature: 0.75,
  seed: 0,
  cfg_weight: 1.0,
  num_candidates_per_chunk: 3,
  max_attempts_per_candidate: 3,
  bypass_whisper_checking: false,
  whisper_model_name: "medium",
  use_faster_whisper: true,
  use_longest_transcript_on_fail: true,
  enable_batching: false,
  smart_batch_short_sentences: true,
  to_lowercase: true,
  normalize_spacing: true,
  fix_dot_letters: true,
  remove_reference_numbers: true,
  use_auto_editor: false,
  keep_original_wav_ae: false,
  ae_threshold: 0.06,
  ae_margin: 0.2,
  normalize_audio: false,
  normalize_method: "ebu",
  normalize_level: -24.0,
  normalize_tp: -2.0,
  normalize_lra: 7.0,
  sound_words_field: "",
  speed_factor: 1.0,
  speed_factor_library: "auto",
  trim: false,
  trim_threshold_ms: 200,
  export_formats: ["wav", "mp3"],
  caption_formats: [],
  disable_watermark: true,
  wav_sample_format: "f32",
};
