/**
 * Reads config.yaml, applies the documented environment overrides, validates everything at once and maps
 * snake_case keys to the camelCase AppConfig. This is the only place that knows both spellings.
 */
import { existsSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, isAbsolute, join, resolve } from "node:path";
import { parse as parseYaml } from "yaml";
import type { AppConfig } from "./app-config.js";
import { configSchema, type RawConfig } from "./schema.js";

const MIB = 1024 * 1024;
const GIB = 1024 * MIB;
const HOUR_MS = 3_600_000;

/** Thrown with every problem found, so a user fixes the file in one go. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    this.name = "ConfigError";
  }
}

export interface LoadConfigOptions {
  /** Path of config.yaml; a missing file means "all defaults". */
  path: string;
  /** Environment to read overrides from (HOST, PORT, LOG_LEVEL). */
  env?: NodeJS.ProcessEnv;
}

export function loadConfig({ path, env = process.env }: LoadConfigOptions): AppConfig {
  const file = resolve(path);
  const exists = existsSync(file);
  const raw = exists ? readYaml(file) : {};
  const parsed = configSchema.safeParse(applyEnvOverrides(raw, env));
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((issue) => `${issue.path.join(".") || "(root)"}: ${issue.message}`));
  }
  return Object.freeze(toAppConfig(parsed.data, dirname(file), exists ? file : undefined));
}

function readYaml(file: string): unknown {
  try {
    return parseYaml(readFileSync(file, "utf8")) ?? {};
  } catch (error) {
    throw new ConfigError([`${file}: ${(error as Error).message}`]);
  }
}

/** HOST, PORT and LOG_LEVEL win over the file so one machine can run it differently without editing it. */
function applyEnvOverrides(raw: unknown, env: NodeJS.ProcessEnv): unknown {
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
    return raw;
  }
  const config = raw as Record<string, unknown>;
  const server = { ...((config.server as Record<string, unknown> | undefined) ?? {}) };
  if (env.HOST) server.host = env.HOST;
  if (env.PORT) server.port = /^\d+$/.test(env.PORT) ? Number(env.PORT) : env.PORT;
  if (env.LOG_LEVEL) server.log_level = env.LOG_LEVEL;
  return { ...config, server };
}

function toAppConfig(raw: RawConfig, base: string, source: string | undefined): AppConfig {
  const at = (path: string) => (isAbsolute(path) ? path : join(base, path));
  const { server, paths, api, inference, sidecar } = raw;
  const restart = sidecar.restart;
  return {
    source,
    server: {
      host: server.host,
      port: server.port,
      logLevel: server.log_level,
      corsOrigins: server.cors_origins,
      shutdownGraceMs: server.shutdown_grace_seconds * 1000,
    },
    paths: {
      outputs: at(paths.outputs),
      referenceAudio: at(paths.reference_audio),
      vcInputs: at(paths.vc_inputs),
      models: at(paths.models),
      temp: paths.temp ? at(paths.temp) : join(tmpdir(), "chatterbox-ts"),
      data: at(paths.data),
    },
    api: {
      maxTextLength: api.max_text_length,
      maxBodyBytes: Math.round(api.max_body_mb * MIB),
      inferenceTimeoutMs: api.inference_timeout_seconds * 1000,
    },
    auth: { enabled: raw.auth.enabled },
    jobs: {
      concurrency: raw.jobs.concurrency,
      maxTextLength: raw.jobs.max_text_length,
      callSeconds: raw.jobs.call_seconds,
      maxUnfinishedPerKey: raw.jobs.max_unfinished_per_key,
      keepSegmentsMs: raw.jobs.keep_segments_hours * 3_600_000,
      webhookAttempts: raw.jobs.webhook_attempts,
      webhookTimeoutMs: raw.jobs.webhook_timeout_seconds * 1000,
    },
    usage: {
      currency: raw.usage.currency,
      per1kInputChars: raw.usage.price_per_1k_input_chars,
      perInputAudioMinute: raw.usage.price_per_input_audio_minute,
      perOutputAudioMinute: raw.usage.price_per_output_audio_minute,
    },
    inference: {
      engine: inference.engine,
      engines: inference.engines,
      memoryBudgetMb: inference.memory_budget_mb,
      chatterboxVariant: inference.chatterbox_variant,
      piperVoice: inference.piper_voice,
      device: inference.device,
      allowDownload: inference.allow_download,
      maxSegmentChars: inference.max_segment_chars,
      queueCapacity: inference.queue_capacity,
      maxQueueWaitSeconds: inference.max_queue_wait_seconds,
    },
    sidecar: {
      python: sidecar.python.includes("/") ? at(sidecar.python) : sidecar.python,
      host: sidecar.host,
      port: sidecar.port,
      logLevel: sidecar.log_level,
      startupTimeoutMs: sidecar.startup_timeout_seconds * 1000,
      loadTimeoutMs: sidecar.load_timeout_seconds * 1000,
      healthIntervalMs: sidecar.health_interval_seconds * 1000,
      healthFailureThreshold: sidecar.health_failure_threshold,
      stopGraceSeconds: sidecar.stop_grace_seconds,
      maxMessageMb: sidecar.max_message_mb,
      restart: {
        maxRestarts: restart.max_restarts,
        windowMs: restart.window_seconds * 1000,
        backoffInitialMs: restart.backoff_initial_ms,
        backoffMaxMs: restart.backoff_max_ms,
        cooldownMs: restart.cooldown_seconds * 1000,
        stableMs: restart.stable_seconds * 1000,
      },
    },
    stt: {
      device: raw.stt.device,
      defaultModel: raw.stt.default_model,
      memoryBudgetMb: raw.stt.memory_budget_mb,
      queueCapacity: raw.stt.queue_capacity,
      maxUploadBytes: Math.round(raw.stt.max_upload_mb * MIB),
      verifyMaxWer: raw.stt.verify_max_wer,
      vcInputMaxSeconds: raw.stt.vc_input_max_seconds,
    },
    library: { rescanIntervalMs: raw.library.rescan_interval_seconds * 1000 },
    uploads: {
      maxVoiceBytes: Math.round(raw.uploads.max_voice_mb * MIB),
      maxVcInputBytes: Math.round(raw.uploads.max_vc_input_mb * MIB),
      maxVcSourceBytes: Math.round(raw.uploads.max_vc_source_mb * MIB),
      maxConcatUploadBytes: Math.round(raw.uploads.max_concat_upload_mb * MIB),
      maxConcatTotalBytes: Math.round(raw.uploads.max_concat_total_mb * MIB),
    },
    concat: toConcat(raw.concat),
    audio: {
      mp3BitrateKbps: raw.audio.mp3_bitrate_kbps,
      opusBitrateKbps: raw.audio.opus_bitrate_kbps,
      aacBitrateKbps: raw.audio.aac_bitrate_kbps,
    },
    urlSources: toUrlSources(raw.url_sources),
    maintenance: toMaintenance(raw.maintenance),
    openai: {
      maxInputChars: raw.openai.max_input_chars,
      voiceAliases: raw.openai.voice_aliases,
      modelEngines: raw.openai.model_engines,
      realtimeIdleTimeoutMs: raw.openai.realtime_idle_timeout_seconds * 1000,
      realtimeMaxPendingChars: raw.openai.realtime_max_pending_chars,
    },
    ttsDefaults: raw.tts_defaults,
    vcDefaults: raw.vc_defaults,
  };
}

function toUrlSources(raw: RawConfig["url_sources"]): AppConfig["urlSources"] {
  return {
    enabled: raw.enabled,
    allowHosts: raw.allow_hosts,
    maxBytes: Math.round(raw.max_mb * MIB),
    timeoutMs: raw.timeout_seconds * 1000,
    maxRedirects: raw.max_redirects,
  };
}

function toConcat(raw: RawConfig["concat"]): AppConfig["concat"] {
  return {
    maxItems: raw.max_items,
    maxUploads: raw.max_uploads,
    sampleRate: raw.sample_rate,
    channels: raw.channels,
  };
}

function toMaintenance(raw: RawConfig["maintenance"]): AppConfig["maintenance"] {
  return {
    cleanupOnStartup: raw.cleanup_on_startup,
    cleanupIntervalMs: Math.round(raw.cleanup_interval_hours * HOUR_MS),
    tempMaxAgeMs: Math.round(raw.temp_max_age_days * 24 * HOUR_MS),
    tempMaxFiles: raw.temp_max_files,
    // At least one byte, so usage percentages never divide by zero.
    outputsMaxBytes: Math.max(1, Math.round(raw.outputs_max_size_gb * GIB)),
    vcInputsMaxBytes: Math.max(1, Math.round(raw.vc_inputs_max_size_gb * GIB)),
    enforceSizeLimits: raw.enforce_size_limits,
    warningThresholdPercent: raw.warning_threshold_percent,
  };
}
