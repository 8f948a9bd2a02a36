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
  .pipe(z.enum(EXPORT_FORMATS, { error: (issue) => `Unsupported audio format: ${String(issue.input)}` }))
  // The request's JSON Schema (/openapi.json, the studio's forms) lists the names, written in lower case.
  .meta({ enum: [...EXPORT_FORMATS] });

export const ttsFieldSchemas = {
  exaggeration: between(0, 2).describe(
    "How much emotion and intensity the voice puts in (Chatterbox). 0.5 is neutral; values above 1 can be unstable.",
  ),
  temperature: between(0.1, 2).describe(
    "Sampling temperature: lower is steadier and more predictable, higher more varied.",
  ),
  seed: intBetween(0, MAX_SEED).describe(
    "Random seed. 0 picks a random one; the same request with the same seed gives identical audio.",
  ),
  cfg_weight: between(0, 2).describe(
    "Classifier-free guidance weight (Chatterbox): how closely speech follows the voice and text; lower is slower and looser.",
  ),
  num_candidates_per_chunk: intBetween(1, 10).describe(
    "With Whisper checking on: how many candidates (different seeds) are tried per chunk until one passes.",
  ),
  max_attempts_per_candidate: intBetween(1, 10).describe(
    "How many times a candidate is retried (with the next seed) when the engine fails or its transcript does not match.",
  ),
  bypass_whisper_checking: bool().describe(
    "Skip checking each chunk with speech recognition: faster, one candidate per chunk, no transcript comparison.",
  ),
  whisper_model_name: z
    .enum(WHISPER_MODELS, { error: (issue) => `Invalid Whisper model: ${String(issue.input)}` })
    .describe(
      "The Whisper model that listens to each chunk; one not installed falls back to the nearest, with a warning.",
    ),
  use_faster_whisper: bool().describe(
    "Use faster-whisper for the check. It is the only recogniser installed; false is answered with a warning.",
  ),
  use_longest_transcript_on_fail: bool().describe(
    "When no try of a chunk passes: keep the one with the longest transcript (true) or the lowest word error rate (false).",
  ),
  enable_batching: bool().describe("Pack sentences into chunks as long as the engine takes (about 300 characters)."),
  smart_batch_short_sentences: bool().describe(
    "Group short sentences until a chunk reaches 100 characters. With batching also off, each sentence is a chunk.",
  ),
  to_lowercase: bool().describe("Lower-case the text before speaking it."),
  normalize_spacing: bool().describe("Collapse runs of spaces, tabs and newlines into one space."),
  fix_dot_letters: bool().describe("Read dotted initials as letters: 'U.S.A.' becomes 'U S A'."),
  remove_reference_numbers: bool().describe("Remove citation markers such as [12] and (3) from the text."),
  use_auto_editor: bool().describe("Shorten long pauses inside the audio to ae_margin seconds."),
  keep_original_wav_ae: bool().describe(
    "With pause shortening on: also keep the audio from before it, as <name>_original.wav.",
  ),
  ae_threshold: between(0, 1).describe(
    "Pause shortening: a stretch counts as silent when it stays below this fraction of the loudest sample (0 to 1).",
  ),
  ae_margin: between(0, 1).describe("Pause shortening: every pause longer than this many seconds is cut to it."),
  normalize_audio: bool().describe("Even out the loudness of the result (see normalize_method)."),
  normalize_method: z
    .enum(NORMALIZE_METHODS, { error: "must be 'ebu' or 'peak'" })
    .describe("'ebu': reach a loudness target (EBU R128); 'peak': one gain that puts the true peak at normalize_tp."),
  normalize_level: between(-70, -5).describe("Loudness target in LUFS for 'ebu' normalization; -16 suits podcasts."),
  normalize_tp: between(-9, 0).describe("True-peak ceiling in dBTP ('ebu'), or the peak to reach ('peak')."),
  normalize_lra: between(1, 50).describe("Loudness range target in LU for 'ebu' normalization."),
  sound_words_field: z
    .string({ error: "must be a string" })
    .superRefine((field, context) => {
      // Rules are checked with the other fields, so a bad line is a 422 before any work (and a voice's stored
      // default with a bad line is skipped like any invalid default).
      try {
        parseSoundWordRules(field);
      } catch (error) {
        if (!(error instanceof SoundWordRuleError)) throw error;
        context.addIssue({ code: "custom", message: error.issue });
      }
    })
    .describe(
      "Words to remove or respell before speaking, one rule per line or comma: 'um' removes it, 'Bob=>Robert' replaces it.",
    ),
  // OpenAI's range; the sidecar chains stretches where one library's range is narrower.
  speed_factor: between(0.25, 4).describe("Tempo, pitch kept: 1.5 is 50% faster, 0.8 is 20% slower (0.25 to 4)."),
  speed_factor_library: z
    .enum(SPEED_LIBRARIES, { error: `must be one of ${SPEED_LIBRARIES.join(", ")}` })
    .describe(
      "The time-stretch library; 'auto' uses audiostretchy, else sox. One not installed falls back, with a warning.",
    ),
  trim: bool().describe("Cut leading and trailing silence longer than trim_threshold_ms (50 ms is kept)."),
  trim_threshold_ms: intBetween(50, 1000).describe("Trimming: silence at either end longer than this many ms is cut."),
  export_formats: z
    .array(exportFormat, { error: "must be a list of formats" })
    .min(1, {
      // Captions (srt, vtt) are made beside the audio, so they do not count.
      error: "at least one audio export format is required",
    })
    .describe(
      "Audio files to produce, at least one: wav, mp3, flac, opus, aac (.m4a) or pcm (raw 16-bit). srt and vtt count as caption_formats.",
    ),
  // Captions from the segments' timings, published beside the audio (export_formats may name them too).
  caption_formats: z
    .array(z.enum(CAPTION_FORMATS, { error: `must be one of ${CAPTION_FORMATS.join(", ")}` }), {
      error: "must be a list of caption formats",
    })
    .describe("Caption files timed to the speech, published beside the audio: srt, vtt, or none."),
  disable_watermark: bool().describe(
    "Ask for audio without the Perth watermark. Chatterbox always embeds it and espeak never does; a warning says when the result differs.",
  ),
  wav_sample_format: z
    .enum(WAV_SAMPLE_FORMATS, { error: `must be one of ${WAV_SAMPLE_FORMATS.join(", ")}` })
    .describe("Sample encoding of WAV files: f32 (32-bit float, lossless), s16 or s24 (16/24-bit integer)."),
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
