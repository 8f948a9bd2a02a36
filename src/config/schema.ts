/**
 * The shape of config.yaml (snake_case, as written by users), with defaults and ranges. Every key is
 * documented in docs/configuration.md; a unit test checks that each one appears there.
 */
import { z } from "zod";
import { CONTRACT_TTS_DEFAULTS, ttsFieldSchemas } from "../domain/tts-fields.js";
import { CONTRACT_VC_DEFAULTS, vcFieldSchemas } from "../domain/vc-fields.js";
import { ENGINE_PREFERENCE } from "../domain/inference.js";
import { DEFAULT_MODEL_ENGINES, OPENAI_SPEECH_MODELS } from "../domain/openai-models.js";
import { defaultVoiceAliases } from "../domain/openai-voices.js";
import { allowListProblems } from "../net/allow-list.js";
import { SIDECAR_DEFAULTS } from "./sidecar-defaults.js";

const LOG_LEVELS = ["trace", "debug", "info", "warn", "error", "fatal", "silent"] as const;
const SIDECAR_LOG_LEVELS = ["debug", "info", "warn", "error"] as const;

const positiveInt = () => z.number().int().positive();
const port = () => z.number().int().min(0).max(65535);
/** "*", or an origin exactly as browsers send it in `Origin`: anything looser is how CORS setups leak. */
const corsOrigin = () =>
  z.string().refine((origin) => origin === "*" || isOrigin(origin), {
    error: 'must be "*" or an origin as browsers send it, e.g. https://studio.example.com (lower case, no path)',
  });
function isOrigin(text: string): boolean {
  return URL.canParse(text) && new URL(text).origin === text;
}
/** A section whose keys all have defaults: an absent section gets them too. */
const section = <T extends z.ZodRawShape>(shape: T) => z.strictObject(shape).prefault({} as never);

/** Each request field, defaulted to the contract's value; typed as the plain fields since outputs match. */
function defaultsShape<S extends Record<string, z.ZodType>>(schemas: S, defaults: Record<keyof S, unknown>): S {
  return Object.fromEntries(
    Object.entries(schemas).map(([name, schema]) => [name, schema.default(defaults[name as keyof S] as never)]),
  ) as unknown as S;
}
const ttsDefaultsShape = defaultsShape(ttsFieldSchemas, CONTRACT_TTS_DEFAULTS);
const vcDefaultsShape = defaultsShape(vcFieldSchemas, CONTRACT_VC_DEFAULTS);

export const configSchema = z.strictObject({
  server: section({
    host: z.string().min(1).default("127.0.0.1"),
    port: port().default(7860),
    log_level: z.enum(LOG_LEVELS).default("info"),
    cors_origins: z.array(corsOrigin()).default([]),
    // On SIGTERM/SIGINT: how long requests in flight may take to finish before the sidecar is stopped anyway.
    shutdown_grace_seconds: z.number().int().min(0).max(3600).default(30),
  }),
  paths: section({
    outputs: z.string().min(1).default("outputs"),
    reference_audio: z.string().min(1).default("reference_audio"),
    vc_inputs: z.string().min(1).default("vc_inputs"),
    models: z.string().min(1).default("models"),
    temp: z.string().default(""),
    data: z.string().min(1).default("data"),
  }),
  api: section({
    max_text_length: positiveInt().max(1_000_000).default(10000),
    max_body_mb: z.number().positive().max(1024).default(2),
    inference_timeout_seconds: positiveInt().default(900),
  }),
  // What each request costs (docs/api/usage.md); 0 = free. Only successful requests are charged.
  usage: section({
    currency: z.string().min(1).max(10).default("USD"),
    price_per_1k_input_chars: z.number().min(0).default(0),
    price_per_input_audio_minute: z.number().min(0).default(0),
    price_per_output_audio_minute: z.number().min(0).default(0),
  }),
  // Long-form jobs (docs/api/jobs.md).
  jobs: section({
    concurrency: positiveInt().max(64).default(1),
    // A job's text may be longer than a synchronous request's (api.max_text_length): it is spoken piece by piece.
    max_text_length: positiveInt().max(10_000_000).default(500_000),
    call_seconds: z.number().positive().max(600).default(5),
    // Unfinished (queued, running, paused) jobs one API key may have; with keys off, all callers together.
    max_unfinished_per_key: positiveInt().max(100_000).default(100),
    // A finished job's segment audio is kept this long for re-renders (0 = removed when it ends); after that a
    // re-render speaks every segment again, to the same audio.
    keep_segments_hours: z.number().min(0).max(87_600).default(168),
    webhook_attempts: positiveInt().max(20).default(5),
    webhook_timeout_seconds: positiveInt().max(300).default(10),
  }),
  // API keys (docs/api/keys.md); off for localhost-only setups, where every caller may use every route.
  auth: section({
    enabled: z.boolean().default(false),
  }),
  inference: section({
    engine: z.enum(["auto", ...ENGINE_PREFERENCE]).default("auto"),
    // Engines held beside the default one, so that requests may name them; each loads when it is available.
    engines: z
      .array(z.enum(ENGINE_PREFERENCE), { error: `must be a list of ${ENGINE_PREFERENCE.join(", ")}` })
      .default([...ENGINE_PREFERENCE]),
    // What the loaded engines may take together (measured as each loads); 0 = no limit.
    memory_budget_mb: z.number().int().min(0).default(8192),
    chatterbox_variant: z.enum(["english", "multilingual", "turbo"]).default("english"),
    // A voice in models/piper/ ("" = the first installed); the piper engine loads one voice.
    piper_voice: z.string().default(""),
    device: z.enum(["auto", "cuda", "mps", "cpu"]).default("auto"),
    allow_download: z.boolean().default(true),
    // Only lowers the limit the loaded engine announces (ModelInfo.max_segment_chars); never raises it.
    max_segment_chars: z.number().int().min(50).max(1000).default(300),
    queue_capacity: positiveInt().max(1000).default(SIDECAR_DEFAULTS.queue_capacity),
    // A queued job (synthesis or transcription) that has not started this long after admission gets 429;
    // 0 = it may wait until its request deadline (api.inference_timeout_seconds).
    max_queue_wait_seconds: z.number().min(0).max(86_400).default(SIDECAR_DEFAULTS.max_queue_wait_seconds),
  }),
  sidecar: section({
    python: z.string().min(1).default("sidecar/.venv/bin/python"),
    host: z.string().min(1).default(SIDECAR_DEFAULTS.host),
    port: port().default(SIDECAR_DEFAULTS.port),
    log_level: z.enum(SIDECAR_LOG_LEVELS).default("info"),
    startup_timeout_seconds: positiveInt().default(60),
    load_timeout_seconds: positiveInt().default(1800),
    health_interval_seconds: positiveInt().default(5),
    health_failure_threshold: positiveInt().default(3),
    stop_grace_seconds: positiveInt().default(SIDECAR_DEFAULTS.grace_seconds),
    max_message_mb: positiveInt().max(1024).default(SIDECAR_DEFAULTS.max_message_mb),
    restart: section({
      max_restarts: z.number().int().min(0).default(5),
      window_seconds: positiveInt().default(600),
      backoff_initial_ms: positiveInt().default(500),
      backoff_max_ms: positiveInt().default(30000),
      cooldown_seconds: positiveInt().default(60),
      stable_seconds: positiveInt().default(10),
    }),
  }),
  // Speech recognition (faster-whisper in the sidecar): /v1/audio/transcriptions and verified TTS.
  stt: section({
    device: z.enum(["auto", "cuda", "cpu"]).default("auto"),
    // "" = the largest installed model; what OpenAI's "whisper-1" means here.
    default_model: z.string().default(""),
    memory_budget_mb: positiveInt().max(1_048_576).default(SIDECAR_DEFAULTS.stt_memory_mb),
    queue_capacity: positiveInt().max(1000).default(SIDECAR_DEFAULTS.stt_queue_capacity),
    max_upload_mb: z.number().positive().max(10_240).default(25),
    // Verified TTS: a candidate passes when its transcript's word error rate is at most this.
    verify_max_wer: z.number().min(0).max(1).default(0.15),
    // A VC input uploaded without text is transcribed only up to this length, so an upload answers promptly.
    vc_input_max_seconds: z.number().min(0).max(86_400).default(600),
  }),
  library: section({
    rescan_interval_seconds: z.number().int().min(0).max(86_400).default(15),
  }),
  uploads: section({
    max_voice_mb: z.number().positive().max(10_240).default(100),
    max_vc_input_mb: z.number().positive().max(10_240).default(50),
    max_vc_source_mb: z.number().positive().max(10_240).default(100),
    max_concat_upload_mb: z.number().positive().max(10_240).default(100),
    max_concat_total_mb: z.number().positive().max(102_400).default(1024),
  }),
  concat: section({
    max_items: positiveInt().max(100_000).default(5000),
    max_uploads: positiveInt().max(10_000).default(100),
    // 0 = the first clip's rate / channel count.
    sample_rate: z
      .number()
      .int()
      .refine((rate) => rate === 0 || (rate >= 8000 && rate <= 192_000), { error: "must be 0 or 8000-192000" })
      .default(0),
    channels: z.union([z.literal(0), z.literal(1), z.literal(2)]).default(0),
  }),
  audio: section({
    mp3_bitrate_kbps: z.number().int().min(32).max(320).default(320),
    opus_bitrate_kbps: z.number().int().min(6).max(510).default(96),
    aac_bitrate_kbps: z.number().int().min(32).max(512).default(160),
  }),
  url_sources: section({
    enabled: z.boolean().default(false),
    allow_hosts: z
      .array(z.string().min(1))
      .superRefine((entries, ctx) => {
        for (const problem of allowListProblems(entries)) ctx.addIssue({ code: "custom", message: problem });
      })
      .default([]),
    max_mb: z.number().positive().max(10_240).default(50),
    timeout_seconds: positiveInt().max(3_600).default(30),
    max_redirects: z.number().int().min(0).max(20).default(3),
  }),
  maintenance: section({
    cleanup_on_startup: z.boolean().default(true),
    // 0 turns the schedule off.
    cleanup_interval_hours: z.number().min(0).max(8760).default(5),
    temp_max_age_days: z.number().positive().max(3650).default(7),
    temp_max_files: positiveInt().default(200),
    outputs_max_size_gb: z.number().positive().default(5.0),
    vc_inputs_max_size_gb: z.number().positive().default(2.0),
    // Off by default: deleting users' generated audio on a schedule must be an explicit choice.
    enforce_size_limits: z.boolean().default(false),
    warning_threshold_percent: z.number().positive().max(100).default(80),
  }),
  // The OpenAI-compatible speech API (/v1/audio/speech, /v1/models, /v1/audio/voices, the realtime WebSocket).
  openai: section({
    max_input_chars: positiveInt().max(100_000).default(4096),
    // OpenAI voice name → a voice in reference_audio/ ("" = the engine's built-in voice).
    // Names given here add to (or replace) the 13 OpenAI names, which otherwise mean the built-in voice.
    voice_aliases: z
      .record(z.string().min(1), z.string())
      .default({})
      .transform((given) => ({ ...defaultVoiceAliases(), ...given })),
    // OpenAI speech model name → the engine that speaks for it ("default" = inference.engine). An engine that
    // is not loaded falls back to the default one, with a warning.
    model_engines: z
      .partialRecord(z.enum(OPENAI_SPEECH_MODELS), z.enum(["default", ...ENGINE_PREFERENCE]))
      .default({})
      .transform((given) => ({ ...DEFAULT_MODEL_ENGINES, ...given })),
    realtime_idle_timeout_seconds: positiveInt().max(86_400).default(300),
    realtime_max_pending_chars: positiveInt().max(1_000_000).default(20_000),
  }),
  tts_defaults: z.strictObject(ttsDefaultsShape).prefault({} as never),
  vc_defaults: z.strictObject(vcDefaultsShape).prefault({} as never),
});

export type RawConfig = z.output<typeof configSchema>;
