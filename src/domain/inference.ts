/**
 * The inference port: what services need from an inference engine, in domain terms. The gRPC sidecar
 * client implements it (src/sidecar/sidecar-client.ts); tests implement it with in-process fakes.
 * Nothing here knows about gRPC or generated types.
 */
import type { MonoPcm } from "./audio.js";

export type EngineName = "chatterbox" | "piper" | "espeak";
/**
 * What config, LoadModel and a request may ask for. `auto`: the first that loads (config) or is loaded (a
 * request) of chatterbox, piper, espeak.
 */
export type EngineChoice = "auto" | EngineName;
/** The order `auto` tries engines in: voice cloning first, then CPU neural, then formant synthesis. */
export const ENGINE_PREFERENCE = ["chatterbox", "piper", "espeak"] as const satisfies readonly EngineName[];
export type ChatterboxVariantName = "english" | "multilingual" | "turbo";
/** `auto` picks audiostretchy when it loads, else sox. */
export type StretchLibraryName = "auto" | "audiostretchy" | "sox" | "librosa" | "torchaudio";

/** Audio handed to the engine: a file inside an allowed root, a whole encoded file, or decoded samples. */
export type AudioInput = { path: string } | { fileBytes: Buffer } | { pcm: MonoPcm };

/** Sampling parameters; unset fields keep the loaded model's defaults. */
export interface GenerationParams {
  exaggeration?: number;
  cfgWeight?: number;
  temperature?: number;
  repetitionPenalty?: number;
  minP?: number;
  topP?: number;
  topK?: number;
}

export interface TextSegment {
  text: string;
  /** Seeds every random generator before this segment; unset means not reseeded. */
  seed?: number;
}

export interface SynthesisInput {
  segments: TextSegment[];
  /** Reference voice; unset uses the engine's built-in voice. */
  voice?: AudioInput;
  params: GenerationParams;
  /** ISO 639-1 code; unset means "en". */
  language?: string;
  /** Tempo factor 0.25-4.0; unset means 1.0. */
  speed?: number;
  stretchLibrary?: StretchLibraryName;
  /** One of the loaded engines; unset = the default engine. */
  engine?: EngineName;
}

export interface SynthesisStats {
  queueWaitMs: number;
  timeToFirstAudioMs: number;
  generationMs: number;
  audioSamples: number;
  watermarked: boolean;
  /** The library that stretched, or undefined when no stretching happened. */
  stretchLibrary: StretchLibraryName | undefined;
  /** Generation parameters that were sent but that the engine does not use (GenerationParams field names). */
  ignoredParameters: string[];
  /** How the reference or target voice shaped the output, in words; "" without a voice. */
  voiceMethod: string;
  /** Wall time spent time-stretching (speed), over all segments; 0 at speed 1. */
  stretchMs: number;
  warnings: string[];
}

export type SynthesisEvent =
  | { type: "start"; sampleRate: number; segmentCount: number; engine: EngineName }
  | { type: "audio"; samples: Float32Array; segmentIndex: number; segmentFinal: boolean }
  | { type: "end"; stats: SynthesisStats };

export interface ConvertInput {
  source: AudioInput;
  /** Voice to convert to; unset uses the engine's built-in voice. */
  targetVoice?: AudioInput;
  /** Moves the output's pitch this many semitones from the target voice's (-12..12); unset = 0. */
  pitchShiftSemitones?: number;
}

export interface StretchInput {
  audio: MonoPcm;
  speed: number;
  library: StretchLibraryName;
}

export interface StretchResult {
  audio: MonoPcm;
  libraryUsed: StretchLibraryName;
  warnings: string[];
}

/** `translate` gives English text whatever the spoken language (multilingual models only). */
export type TranscriptionTask = "transcribe" | "translate";

export interface TranscribeInput {
  audio: AudioInput;
  /** Whisper model name ("base", "tiny.en", ...); unset = the largest installed. A missing one falls back, with a warning. */
  model?: string;
  /** ISO 639-1 code of the speech; unset = detect. */
  language?: string;
  task?: TranscriptionTask;
  wordTimestamps?: boolean;
  /** Text that precedes the audio (spellings, style). */
  prompt?: string;
  /** 0-1; unset = Whisper's fallback schedule. */
  temperature?: number;
  /** 1 = greedy (fastest); unset = 5. */
  beamSize?: number;
}

export interface TranscriptWord {
  start: number;
  end: number;
  word: string;
  probability: number;
}

export interface TranscriptSegment {
  id: number;
  /** Seconds from the start of the audio. */
  start: number;
  end: number;
  text: string;
  avgLogprob: number;
  noSpeechProb: number;
  compressionRatio: number;
  temperature: number;
  tokens: number[];
  /** Empty unless word timestamps were asked for. */
  words: TranscriptWord[];
  seek: number;
}

/** What is known before the first segment. */
export interface TranscriptionInfo {
  /** The model actually used. */
  model: string;
  language: string;
  languageProbability: number;
  durationSeconds: number;
  /** E.g. the asked-for model is not installed and another was used. */
  warnings: string[];
  device: string;
}

export interface TranscriptionStats {
  queueWaitMs: number;
  loadMs: number;
  processingMs: number;
}

export interface Transcript {
  info: TranscriptionInfo;
  text: string;
  segments: TranscriptSegment[];
  stats: TranscriptionStats;
}

export type TranscriptionEvent =
  | { type: "start"; info: TranscriptionInfo }
  | { type: "segment"; segment: TranscriptSegment }
  | { type: "end"; text: string; stats: TranscriptionStats };

export interface TranscriptionModel {
  name: string;
  /** Present in the models folder (otherwise downloaded on first use). */
  installed: boolean;
  /** False for the ".en" models: English only, no translation. */
  multilingual: boolean;
  loaded: boolean;
  sizeBytes: number;
}

export interface TranscriptionModels {
  /** faster-whisper is installed in the sidecar. */
  available: boolean;
  engineVersion: string;
  models: TranscriptionModel[];
  /** What an unset model means; "" when none is installed. */
  defaultModel: string;
  memoryBudgetMb: number;
}

export interface ModelInfo {
  engine: EngineName;
  /** Undefined for espeak. */
  variant: ChatterboxVariantName | undefined;
  device: string;
  sampleRate: number;
  maxSegmentChars: number;
  languages: string[];
  voiceConversion: boolean;
  watermarked: boolean;
  engineVersion: string;
  stretchLibraries: StretchLibraryName[];
  /** How the engine uses a reference or target voice, in words (neural cloning, or a signal-level shift). */
  voiceMethod: string;
  /** The loaded voice model (piper: e.g. "en_US-joe-medium"); "" when the engine has none of its own. */
  voiceName: string;
  /** That voice's licence, in words; "" when it is the engine package's. */
  voiceLicence: string;
  /** Memory the engine took when it loaded, in MiB (resident growth, plus CUDA memory); 0 when unknown. */
  memoryMb: number;
  warnings: string[];
}

/** An engine asked for (config `inference.engines`) that is not loaded. */
export interface UnavailableEngine {
  engine: EngineName;
  /** In words for people: why it could not load, or that it did not fit the memory budget. */
  reason: string;
}

/** The engines the sidecar holds. */
export interface LoadedEngines {
  /** The engine a request gets when it names none: config `inference.engine`, after auto's fallbacks. */
  default: ModelInfo;
  /** Every loaded engine, the default first. */
  loaded: ModelInfo[];
  unavailable: UnavailableEngine[];
}

export type WorkerState = "empty" | "loading" | "ready" | "busy" | "draining";

export interface WorkerStatus {
  state: WorkerState;
  queueDepth: number;
  queueCapacity: number;
  runningRequestId: string;
}

/** Per-call options: every call has a deadline and can be cancelled. */
/** Where a call's job waits in the engine's queue: interactive first, then standard, then batch. */
export type CallPriority = "interactive" | "standard" | "batch";

export interface CallOptions {
  /** Aborting cancels the call; the engine stops before its next segment. */
  signal?: AbortSignal;
  /**
   * Absolute deadline (epoch milliseconds), for work that spans several calls: a request computes it once
   * and every call (retries included) ends by it. Wins over `timeoutMs`.
   */
  deadline?: number;
  /** Deadline from now; each implementation has a sensible default per method. */
  timeoutMs?: number;
  /** Names the request in the engine's logs and status (the HTTP request id). */
  requestId?: string;
  /** W3C `traceparent` of the calling span: its trace id joins the engine's log lines to the caller's trace. */
  traceparent?: string;
  /**
   * Queue order in the engine: interactive jobs start before standard ones, standard before batch (long-form
   * work, which may fill only half the queue). Unset = standard.
   */
  priority?: CallPriority;
}

/**
 * What services call. Failures reject with DomainErrors (ModelNotReadyError, OverloadedError,
 * ValidationError, NotFoundError, InferenceTimeoutError, ClientGoneError, InferenceFailedError).
 */
export interface InferenceBackend {
  /** The loaded engines (the default one first). */
  engines(options?: CallOptions): Promise<LoadedEngines>;
  status(options?: CallOptions): Promise<WorkerStatus>;
  /** Yields `start`, then `audio` events as soon as each exists, then `end`. */
  synthesizeStream(input: SynthesisInput, options?: CallOptions): AsyncIterable<SynthesisEvent>;
  convert(input: ConvertInput, options?: CallOptions): Promise<{ audio: MonoPcm; stats: SynthesisStats }>;
  timeStretch(input: StretchInput, options?: CallOptions): Promise<StretchResult>;
  /** Speech recognition of a whole clip; runs beside synthesis, never behind it. */
  transcribe(input: TranscribeInput, options?: CallOptions): Promise<Transcript>;
  /** The same for long audio: `start`, then each segment as soon as it is decoded, then `end`. */
  transcribeStream(input: TranscribeInput, options?: CallOptions): AsyncIterable<TranscriptionEvent>;
  transcriptionModels(options?: CallOptions): Promise<TranscriptionModels>;
}
