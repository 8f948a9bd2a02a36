/** The validated, camelCase configuration the server runs with. Built only by load-config.ts. */
import type { EngineChoice, EngineName } from "../domain/inference.js";
import type { ModelEngine, OpenAiSpeechModel } from "../domain/openai-models.js";
import type { PriceTable } from "../services/usage/usage-record.js";
import type { TtsDefaults } from "../domain/tts-fields.js";
import type { VcDefaults } from "../domain/vc-fields.js";
import type { RestartPolicy } from "../sidecar/restart-budget.js";

export interface AppConfig {
  /** The config file that was read, or undefined when none exists and defaults apply. */
  source: string | undefined;
  server: {
    host: string;
    port: number;
    logLevel: "trace" | "debug" | "info" | "warn" | "error" | "fatal" | "silent";
    /** Browser origins allowed to call the API across origins ("*" = any); empty = same origin only. */
    corsOrigins: string[];
    shutdownGraceMs: number;
  };
  /** Absolute paths; relative ones in the file are resolved against the config file's folder. */
  paths: { outputs: string; referenceAudio: string; vcInputs: string; models: string; temp: string; data: string };
  api: { maxTextLength: number; maxBodyBytes: number; inferenceTimeoutMs: number };
  /** The price table of usage rows. */
  usage: PriceTable;
  /** Long-form jobs: how many run at once, segments per engine call, and webhook delivery. */
  jobs: {
    concurrency: number;
    maxTextLength: number;
    callSeconds: number;
    maxUnfinishedPerKey: number;
    keepSegmentsMs: number;
    webhookAttempts: number;
    webhookTimeoutMs: number;
  };
  /** API keys: when enabled, every route but the public ones needs a key with the right scope. */
  auth: { enabled: boolean };
  inference: {
    engine: EngineChoice;
    /** Engines held beside the default one (each when it loads and fits the budget). */
    engines: EngineName[];
    /** MiB the loaded engines may take together; 0 = no limit. */
    memoryBudgetMb: number;
    chatterboxVariant: "english" | "multilingual" | "turbo";
    /** A voice in models/piper/; "" = the first installed. */
    piperVoice: string;
    device: "auto" | "cuda" | "mps" | "cpu";
    allowDownload: boolean;
    maxSegmentChars: number;
    queueCapacity: number;
    /** Seconds a queued job (either queue) may wait to start before it is refused with 429; 0 = no limit. */
    maxQueueWaitSeconds: number;
  };
  sidecar: {
    python: string;
    host: string;
    port: number;
    logLevel: "debug" | "info" | "warn" | "error";
    startupTimeoutMs: number;
    loadTimeoutMs: number;
    healthIntervalMs: number;
    healthFailureThreshold: number;
    /** The sidecar's own drain time after SIGTERM; the supervisor SIGKILLs 5 s after it. */
    stopGraceSeconds: number;
    maxMessageMb: number;
    restart: RestartPolicy;
  };
  /** Speech recognition in the sidecar (faster-whisper). */
  stt: {
    device: "auto" | "cuda" | "cpu";
    /** "" = the largest installed model. */
    defaultModel: string;
    memoryBudgetMb: number;
    queueCapacity: number;
    /** Largest upload to /v1/audio/transcriptions and /translations. */
    maxUploadBytes: number;
    /** Verified TTS: a candidate passes at or below this word error rate (0-1). */
    verifyMaxWer: number;
    /** Longest VC input (seconds) whose missing text is filled in by transcription; 0 never transcribes. */
    vcInputMaxSeconds: number;
  };
  library: { rescanIntervalMs: number };
  uploads: {
    maxVoiceBytes: number;
    maxVcInputBytes: number;
    maxVcSourceBytes: number;
    /** Each file of a mixed concatenation, and all of one request's together. */
    maxConcatUploadBytes: number;
    maxConcatTotalBytes: number;
  };
  /** Concatenation limits and its output layout (0 = the first clip's rate or channel count). */
  concat: { maxItems: number; maxUploads: number; sampleRate: number; channels: 0 | 1 | 2 };
  /** Encoder settings of the exported formats. */
  audio: { mp3BitrateKbps: number; opusBitrateKbps: number; aacBitrateKbps: number };
  /** Downloading reference voices and VC sources by http(s) URL (off by default; see docs/configuration.md). */
  urlSources: { enabled: boolean; allowHosts: string[]; maxBytes: number; timeoutMs: number; maxRedirects: number };
  /** Cleanup of 0-byte audio and old scratch files, and the size limits of outputs/ and vc_inputs/. */
  maintenance: {
    cleanupOnStartup: boolean;
    /** 0: no scheduled runs. */
    cleanupIntervalMs: number;
    tempMaxAgeMs: number;
    tempMaxFiles: number;
    outputsMaxBytes: number;
    vcInputsMaxBytes: number;
    /** False: the size limits only raise warnings. */
    enforceSizeLimits: boolean;
    warningThresholdPercent: number;
  };
  /** The OpenAI-compatible speech API. */
  openai: {
    /** Longest `input` of /v1/audio/speech (OpenAI's limit is 4096). */
    maxInputChars: number;
    /** Voice name → a voice path in reference_audio/, "" for the engine's built-in voice. */
    voiceAliases: Record<string, string>;
    /** OpenAI speech model name → the engine that speaks for it. */
    modelEngines: Record<OpenAiSpeechModel, ModelEngine>;
    /** A realtime session with no client message for this long is closed. */
    realtimeIdleTimeoutMs: number;
    /** Text a realtime session may have waiting for synthesis before appends are refused. */
    realtimeMaxPendingChars: number;
  };
  /** Request defaults, keyed by their wire names (they are API field names, not config keys). */
  ttsDefaults: TtsDefaults;
  /** VC request defaults, keyed by their wire names. */
  vcDefaults: VcDefaults;
}
