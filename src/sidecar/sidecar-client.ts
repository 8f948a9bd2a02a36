/**
 * The gRPC client of the inference sidecar: the InferenceBackend the services use, plus the health and
 * LoadModel calls the supervisor needs. The only class that holds generated clients; everything it returns
 * or throws is in domain terms.
 */
import { credentials, Metadata, type ClientOptions } from "@grpc/grpc-js";
import type { MonoPcm } from "../domain/audio.js";
import { ClientGoneError, InferenceFailedError, type DomainError } from "../domain/errors.js";
import type {
  CallOptions,
  ChatterboxVariantName,
  ConvertInput,
  EngineChoice,
  EngineName,
  InferenceBackend,
  LoadedEngines,
  StretchInput,
  StretchResult,
  TranscribeInput,
  Transcript,
  TranscriptionEvent,
  TranscriptionModels,
  SynthesisEvent,
  SynthesisInput,
  SynthesisStats,
  WorkerStatus,
} from "../domain/inference.js";
import type { Logger } from "../logging.js";
import { CallTracker } from "./call-tracker.js";
import { AudioEncoding, SpeechServiceClient } from "./generated/chatterbox/v1/speech.js";
import { HealthCheckResponse_ServingStatus as Serving, HealthClient } from "./generated/health/v1/health.js";
import { serverStreamCall, unaryCall, type CallContext } from "./grpc-call.js";
import { isGrpcStatus, sidecarDetails, sidecarReason, statusName } from "./grpc-errors.js";
import * as map from "./proto-mapping.js";
import { SynthesisEventDecoder } from "./synthesis-event-decoder.js";
import * as stt from "./transcription-mapping.js";

const MIB = 1024 * 1024;

/** The health service name that is SERVING only while a model is loaded and not draining. */
export const SPEECH_SERVICE_HEALTH_NAME = "chatterbox.v1.SpeechService";

/** Default deadline per method, in milliseconds; CallOptions.timeoutMs overrides any of them per call. */
export interface SidecarTimeouts {
  modelInfoMs: number;
  statusMs: number;
  synthesizeStreamMs: number;
  convertMs: number;
  timeStretchMs: number;
  transcribeMs: number;
  transcriptionModelsMs: number;
  loadModelMs: number;
  healthMs: number;
}

/** The per-method deadlines used when neither the options nor the call say otherwise. */
export const DEFAULT_SIDECAR_TIMEOUTS: Readonly<SidecarTimeouts> = {
  modelInfoMs: 5_000,
  statusMs: 2_000,
  // A long text on CPU can take many minutes; the deadline only catches a wedged engine.
  synthesizeStreamMs: 30 * 60_000,
  convertMs: 10 * 60_000,
  timeStretchMs: 2 * 60_000,
  // An hour of audio takes minutes on a CPU, plus a first model load.
  transcribeMs: 30 * 60_000,
  transcriptionModelsMs: 5_000,
  // First loads may download weights.
  loadModelMs: 15 * 60_000,
  healthMs: 2_000,
};

/** Where the sidecar listens and how calls to it are bounded. */
export interface SidecarClientOptions {
  /** host:port from the sidecar's handshake. */
  address: string;
  /** Largest message either way; must match the sidecar's --max-message-mb. Default 64 MiB. */
  maxMessageBytes?: number;
  timeouts?: Partial<SidecarTimeouts>;
  /** Sent with admin RPCs (LoadModel); the supervisor gave the sidecar the same token at spawn. */
  adminToken?: string;
  logger?: Logger;
}

/** What LoadModel asks for, in domain terms. */
export interface ModelLoadRequest {
  engine: EngineChoice;
  variant: ChatterboxVariantName;
  /** "auto", "cuda", "mps" or "cpu". */
  device: string;
  modelsDir: string;
  allowDownload: boolean;
  /** A voice in <modelsDir>/piper/; "" = the first installed one. */
  piperVoice: string;
  /** Engines to hold beside the default one, each when it loads and fits the budget. */
  engines: readonly EngineName[];
  /** MiB the loaded engines may take together; 0 = no limit. */
  memoryBudgetMb: number;
}

/** grpc.health.v1 serving status, lower-cased. */
export type HealthState = "serving" | "not_serving" | "service_unknown" | "unknown";

/**
 * Talks to one sidecar process over one channel. Every call has a deadline, honours an AbortSignal, and
 * fails only with DomainErrors (mapped once, in grpc-call.ts).
 */
export class SidecarClient implements InferenceBackend {
  private readonly speech: SpeechServiceClient;
  private readonly health: HealthClient;
  private readonly timeouts: SidecarTimeouts;
  private readonly tracker = new CallTracker();
  private readonly log: Logger | undefined;
  private readonly adminToken: string | undefined;

  constructor(options: SidecarClientOptions) {
    const maxBytes = options.maxMessageBytes ?? 64 * MIB;
    const channelOptions: Partial<ClientOptions> = {
      "grpc.max_receive_message_length": maxBytes,
      "grpc.max_send_message_length": maxBytes,
    };
    this.speech = new SpeechServiceClient(options.address, credentials.createInsecure(), channelOptions);
    // One channel for both services, so health reflects the very connection the work uses.
    this.health = new HealthClient(options.address, credentials.createInsecure(), {
      channelOverride: this.speech.getChannel(),
    });
    this.timeouts = { ...DEFAULT_SIDECAR_TIMEOUTS, ...options.timeouts };
    this.log = options.logger;
    this.adminToken = options.adminToken;
  }

  async engines(options?: CallOptions): Promise<LoadedEngines> {
    const ctx = this.context("GetModelInfo", this.timeouts.modelInfoMs, options);
    const response = await unaryCall(this.speech.getModelInfo.bind(this.speech), {}, ctx);
    return this.decode("GetModelInfo", () => map.loadedEnginesFromProto(response));
  }

  async status(options?: CallOptions): Promise<WorkerStatus> {
    const ctx = this.context("GetStatus", this.timeouts.statusMs, options);
    const response = await unaryCall(this.speech.getStatus.bind(this.speech), {}, ctx);
    return this.decode("GetStatus", () => map.workerStatusFromProto(response));
  }

  /** Yields start, audio (as soon as each exists) and end; leaving the loop early cancels the call. */
  async *synthesizeStream(input: SynthesisInput, options?: CallOptions): AsyncGenerator<SynthesisEvent, void> {
    const ctx = this.context("SynthesizeStream", this.timeouts.synthesizeStreamMs, options);
    // One chunk per segment: every consumer here joins whole segments, so smaller chunks would only cost messages.
    const request = { input: map.synthesisInputToProto(input), maxChunkMs: 0 };
    const decoder = new SynthesisEventDecoder();
    for await (const message of serverStreamCall((m, o) => this.speech.synthesizeStream(request, m, o), ctx)) {
      yield this.decode("SynthesizeStream", () => decoder.decode(message));
    }
    this.decode("SynthesizeStream", () => decoder.assertComplete());
  }

  async convert(input: ConvertInput, options?: CallOptions): Promise<{ audio: MonoPcm; stats: SynthesisStats }> {
    const ctx = this.context("Convert", this.timeouts.convertMs, options);
    const request = {
      source: map.audioSourceToProto(input.source),
      targetVoice: map.audioSourceToProto(input.targetVoice),
      encoding: AudioEncoding.AUDIO_ENCODING_PCM_F32LE,
      pitchShiftSemitones: input.pitchShiftSemitones,
    };
    const response = await unaryCall(this.speech.convert.bind(this.speech), request, ctx);
    return this.decode("Convert", () => ({ audio: map.pcmFromProto(response.audio), stats: map.statsFromProto(response.stats) }));
  }

  async timeStretch(input: StretchInput, options?: CallOptions): Promise<StretchResult> {
    const ctx = this.context("TimeStretch", this.timeouts.timeStretchMs, options);
    const request = {
      audio: map.pcmToProto(input.audio),
      speed: input.speed,
      library: map.stretchLibraryToProto(input.library),
    };
    const response = await unaryCall(this.speech.timeStretch.bind(this.speech), request, ctx);
    return this.decode("TimeStretch", () => {
      const libraryUsed = map.stretchLibraryFromProto(response.libraryUsed);
      if (libraryUsed === undefined) throw map.protocolError(`unexpected stretch library ${response.libraryUsed}`);
      return { audio: map.pcmFromProto(response.audio), libraryUsed, warnings: [...response.warnings] };
    });
  }

  async transcribe(input: TranscribeInput, options?: CallOptions): Promise<Transcript> {
    const ctx = this.context("Transcribe", this.timeouts.transcribeMs, options);
    const request = stt.transcribeRequestToProto(input);
    const response = await unaryCall(this.speech.transcribe.bind(this.speech), request, ctx);
    return this.decode("Transcribe", () => stt.transcriptFromProto(response));
  }

  /** Yields start, each segment as soon as it is decoded, then end; leaving the loop early cancels the call. */
  async *transcribeStream(input: TranscribeInput, options?: CallOptions): AsyncGenerator<TranscriptionEvent, void> {
    const ctx = this.context("TranscribeStream", this.timeouts.transcribeMs, options);
    const request = stt.transcribeRequestToProto(input);
    const decoder = new stt.TranscriptionEventDecoder();
    for await (const message of serverStreamCall((m, o) => this.speech.transcribeStream(request, m, o), ctx)) {
      yield this.decode("TranscribeStream", () => decoder.decode(message));
    }
    this.decode("TranscribeStream", () => decoder.assertComplete());
  }

  async transcriptionModels(options?: CallOptions): Promise<TranscriptionModels> {
    const ctx = this.context("ListTranscriptionModels", this.timeouts.transcriptionModelsMs, options);
    const response = await unaryCall(this.speech.listTranscriptionModels.bind(this.speech), {}, ctx);
    return this.decode("ListTranscriptionModels", () => stt.transcriptionModelsFromProto(response));
  }

  /** Loads (or confirms) the engines; resolves with what was actually loaded. */
  async loadModel(request: ModelLoadRequest, options?: CallOptions): Promise<LoadedEngines> {
    const ctx = this.context("LoadModel", this.timeouts.loadModelMs, options);
    if (this.adminToken !== undefined) ctx.metadata.set("authorization", `Bearer ${this.adminToken}`);
    const protoRequest = {
      engine: map.engineToProto(request.engine),
      variant: map.variantToProto(request.variant),
      device: request.device,
      modelsDir: request.modelsDir,
      allowDownload: request.allowDownload,
      piperVoice: request.piperVoice,
      engines: request.engines.map(map.engineToProto),
      memoryBudgetMb: request.memoryBudgetMb,
    };
    const response = await unaryCall(this.speech.loadModel.bind(this.speech), protoRequest, ctx);
    return this.decode("LoadModel", () => map.loadedEnginesFromProto(response));
  }

  /** grpc.health.v1 Check for one service ("" = the process, SPEECH_SERVICE_HEALTH_NAME = the engine). */
  async checkHealth(service: string, options?: CallOptions): Promise<HealthState> {
    const ctx = this.context("Health.Check", this.timeouts.healthMs, options, "debug");
    const response = await unaryCall(this.health.check.bind(this.health), { service }, ctx);
    switch (response.status) {
      case Serving.SERVING:
        return "serving";
      case Serving.NOT_SERVING:
        return "not_serving";
      case Serving.SERVICE_UNKNOWN:
        return "service_unknown";
      default:
        return "unknown";
    }
  }

  /**
   * Cancels every call in flight; each rejects with `error`. For when the process is known to be gone, so
   * callers learn it now rather than when the dead connection is noticed.
   */
  failActiveCalls(error: DomainError): void {
    this.tracker.failAll(error);
  }

  /** Closes the channel. Safe to call more than once. */
  close(): void {
    this.speech.close();
  }

  private context(rpc: string, defaultMs: number, options?: CallOptions, failureLevel: "info" | "debug" = "info"): CallContext {
    const metadata = new Metadata();
    if (options?.requestId) metadata.set("x-request-id", options.requestId);
    if (options?.traceparent) metadata.set("traceparent", options.traceparent);
    if (options?.priority) metadata.set("x-priority", options.priority);
    return {
      deadline: options?.deadline ?? Date.now() + (options?.timeoutMs ?? defaultMs),
      metadata,
      signal: options?.signal,
      tracker: this.tracker,
      onFailure: (error, raw) => this.logFailure(rpc, error, raw, failureLevel),
    };
  }

  /** The sidecar's own text never reaches clients for unexpected codes, so it must reach the log. */
  private logFailure(rpc: string, error: DomainError, raw: unknown, level: "info" | "debug"): void {
    if (!this.log) return;
    const grpcCode = isGrpcStatus(raw) ? statusName(raw.code) : undefined;
    const fields = {
      rpc,
      grpcCode,
      reason: sidecarReason(raw),
      errorCode: error.code,
      details: sidecarDetails(raw) ?? String(raw),
    };
    if (error instanceof ClientGoneError || level === "debug") this.log.debug(fields, "sidecar call failed");
    else if (error instanceof InferenceFailedError) this.log.warn(fields, "sidecar call failed");
    else this.log.info(fields, "sidecar call failed");
  }

  /** Runs a proto → domain conversion; a contract violation is logged here, where the rpc is known. */
  private decode<T>(rpc: string, convert: () => T): T {
    try {
      return convert();
    } catch (error) {
      const details = error instanceof Error ? String(error.cause ?? error.message) : String(error);
      this.log?.warn({ rpc, details }, "sidecar answer broke the contract");
      throw error;
    }
  }
}
