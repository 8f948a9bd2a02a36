/**
 * Domain types ↔ generated protobuf messages. The only place that knows both vocabularies, so enum values
 * and field names are translated in one spot. A sidecar answer that breaks the contract (unknown engine,
 * audio before `start`, odd byte counts) becomes a generic InferenceFailedError with the reason as `cause`.
 */
import type { MonoPcm } from "../domain/audio.js";
import { InferenceFailedError } from "../domain/errors.js";
import type {
  AudioInput,
  ChatterboxVariantName,
  EngineChoice,
  EngineName,
  GenerationParams,
  LoadedEngines,
  ModelInfo,
  StretchLibraryName,
  SynthesisInput,
  SynthesisStats,
  WorkerState,
  WorkerStatus,
} from "../domain/inference.js";
import {
  AudioEncoding,
  ChatterboxVariant,
  Engine,
  GetStatusResponse_State,
  StretchLibrary,
  type AudioSource,
  type GenerationParams as ProtoParams,
  type GetModelInfoResponse,
  type GetStatusResponse,
  type ModelInfo as ProtoModelInfo,
  type PcmAudio,
  type SynthesisInput as ProtoSynthesisInput,
  type SynthesisStats as ProtoStats,
} from "./generated/chatterbox/v1/speech.js";
import { GENERIC_FAILURE_MESSAGE } from "./grpc-errors.js";
import { f32leToFloat32, float32ToF32le, s16leToFloat32 } from "../audio/pcm.js";

/** The sidecar broke the contract; clients get the generic message, the log gets `reason`. */
export function protocolError(reason: string): InferenceFailedError {
  const error = new InferenceFailedError(GENERIC_FAILURE_MESSAGE);
  error.cause = new Error(`sidecar protocol violation: ${reason}`);
  return error;
}

const ENGINE_TO_PROTO: Record<EngineChoice, Engine> = {
  auto: Engine.ENGINE_AUTO,
  chatterbox: Engine.ENGINE_CHATTERBOX,
  piper: Engine.ENGINE_PIPER,
  espeak: Engine.ENGINE_ESPEAK,
};
const VARIANT_TO_PROTO: Record<ChatterboxVariantName, ChatterboxVariant> = {
  english: ChatterboxVariant.CHATTERBOX_VARIANT_ENGLISH,
  multilingual: ChatterboxVariant.CHATTERBOX_VARIANT_MULTILINGUAL,
  turbo: ChatterboxVariant.CHATTERBOX_VARIANT_TURBO,
};
const STRETCH_TO_PROTO: Record<StretchLibraryName, StretchLibrary> = {
  auto: StretchLibrary.STRETCH_LIBRARY_AUTO,
  audiostretchy: StretchLibrary.STRETCH_LIBRARY_AUDIOSTRETCHY,
  sox: StretchLibrary.STRETCH_LIBRARY_SOX,
  librosa: StretchLibrary.STRETCH_LIBRARY_LIBROSA,
  torchaudio: StretchLibrary.STRETCH_LIBRARY_TORCHAUDIO,
};
const WORKER_STATE_FROM_PROTO = new Map<GetStatusResponse_State, WorkerState>([
  [GetStatusResponse_State.STATE_EMPTY, "empty"],
  [GetStatusResponse_State.STATE_LOADING, "loading"],
  [GetStatusResponse_State.STATE_READY, "ready"],
  [GetStatusResponse_State.STATE_BUSY, "busy"],
  [GetStatusResponse_State.STATE_DRAINING, "draining"],
]);

function invert<K extends string, V>(record: Record<K, V>): Map<V, K> {
  return new Map(Object.entries(record).map(([k, v]) => [v as V, k as K]));
}
const ENGINE_FROM_PROTO = invert(ENGINE_TO_PROTO);
const VARIANT_FROM_PROTO = invert(VARIANT_TO_PROTO);
const STRETCH_FROM_PROTO = invert(STRETCH_TO_PROTO);

/** The engine LoadModel asks for. */
export function engineToProto(engine: EngineChoice): Engine {
  return ENGINE_TO_PROTO[engine];
}

/** The engine that actually speaks; AUTO or UNSPECIFIED here means the sidecar broke the contract. */
export function engineFromProto(engine: Engine): EngineName {
  const name = ENGINE_FROM_PROTO.get(engine);
  if (name === undefined || name === "auto") throw protocolError(`unexpected engine value ${engine}`);
  return name;
}

/** The Chatterbox variant LoadModel asks for. */
export function variantToProto(variant: ChatterboxVariantName): ChatterboxVariant {
  return VARIANT_TO_PROTO[variant];
}

/** UNSPECIFIED (espeak) and values from a newer contract both read as "no variant". */
export function variantFromProto(variant: ChatterboxVariant): ChatterboxVariantName | undefined {
  return VARIANT_FROM_PROTO.get(variant);
}

/** undefined = UNSPECIFIED, which the sidecar treats as AUTO. */
export function stretchLibraryToProto(library: StretchLibraryName | undefined): StretchLibrary {
  return library === undefined ? StretchLibrary.STRETCH_LIBRARY_UNSPECIFIED : STRETCH_TO_PROTO[library];
}

/** UNSPECIFIED means "no stretching happened". */
export function stretchLibraryFromProto(library: StretchLibrary): StretchLibraryName | undefined {
  return STRETCH_FROM_PROTO.get(library);
}

/** GetStatus → WorkerStatus; a state from a newer contract reads as "empty". */
export function workerStatusFromProto(status: GetStatusResponse): WorkerStatus {
  return {
    state: WORKER_STATE_FROM_PROTO.get(status.state) ?? "empty",
    queueDepth: status.queueDepth,
    queueCapacity: status.queueCapacity,
    runningRequestId: status.runningRequestId,
  };
}

/** Decodes PCM bytes in the given encoding; UNSPECIFIED means f32le by contract. */
export function samplesFromProto(data: Uint8Array, encoding: AudioEncoding): Float32Array {
  try {
    if (encoding === AudioEncoding.AUDIO_ENCODING_PCM_S16LE) return s16leToFloat32(data);
    if (encoding === AudioEncoding.AUDIO_ENCODING_PCM_F32LE || encoding === AudioEncoding.AUDIO_ENCODING_UNSPECIFIED) {
      return f32leToFloat32(data);
    }
  } catch (error) {
    if (error instanceof RangeError) throw protocolError(error.message);
    throw error;
  }
  throw protocolError(`unknown audio encoding ${encoding}`);
}

/** PcmAudio → mono float PCM; refuses audio without a format or with more than one channel. */
export function pcmFromProto(audio: PcmAudio | undefined): MonoPcm {
  if (!audio?.format) throw protocolError("audio without a format");
  if (audio.format.channels > 1) throw protocolError(`${audio.format.channels}-channel audio, expected mono`);
  return { sampleRate: audio.format.sampleRateHz, samples: samplesFromProto(audio.data, audio.format.encoding) };
}

/** Mono float PCM → PcmAudio, always f32le. */
export function pcmToProto(pcm: MonoPcm): PcmAudio {
  return {
    format: { encoding: AudioEncoding.AUDIO_ENCODING_PCM_F32LE, sampleRateHz: pcm.sampleRate, channels: 1 },
    data: float32ToF32le(pcm.samples),
  };
}

/** A path (inside an allowed root), whole file bytes or samples; undefined = the engine's built-in voice. */
export function audioSourceToProto(input: AudioInput | undefined): AudioSource | undefined {
  if (input === undefined) return undefined;
  if ("path" in input) return { source: { $case: "path", path: input.path } };
  if ("pcm" in input) return { source: { $case: "pcm", pcm: pcmToProto(input.pcm) } };
  return { source: { $case: "fileBytes", fileBytes: input.fileBytes } };
}

function paramsToProto(params: GenerationParams): ProtoParams {
  const { exaggeration, cfgWeight, temperature, repetitionPenalty, minP, topP, topK } = params;
  return { exaggeration, cfgWeight, temperature, repetitionPenalty, minP, topP, topK };
}

/** Audio is always requested as f32le: lossless against the model output. */
export function synthesisInputToProto(input: SynthesisInput): ProtoSynthesisInput {
  return {
    segments: input.segments.map((s) => ({ text: s.text, seed: s.seed })),
    voice: audioSourceToProto(input.voice),
    params: paramsToProto(input.params),
    language: input.language ?? "",
    speed: input.speed,
    stretchLibrary: stretchLibraryToProto(input.stretchLibrary),
    encoding: AudioEncoding.AUDIO_ENCODING_PCM_F32LE,
    engine: input.engine === undefined ? Engine.ENGINE_UNSPECIFIED : engineToProto(input.engine),
  };
}

/** SynthesisStats → domain stats; missing stats break the contract. */
export function statsFromProto(stats: ProtoStats | undefined): SynthesisStats {
  if (!stats) throw protocolError("a response without stats");
  return {
    queueWaitMs: stats.queueWaitMs,
    timeToFirstAudioMs: stats.timeToFirstAudioMs,
    generationMs: stats.generationMs,
    audioSamples: stats.audioSamples,
    watermarked: stats.watermarked,
    stretchLibrary: stretchLibraryFromProto(stats.stretchLibrary),
    ignoredParameters: [...stats.ignoredParameters],
    voiceMethod: stats.voiceMethod,
    stretchMs: stats.stretchMs,
    warnings: [...stats.warnings],
  };
}

/** ModelInfo → domain ModelInfo; missing info breaks the contract. */
export function modelInfoFromProto(info: ProtoModelInfo | undefined): ModelInfo {
  if (!info) throw protocolError("a response without model info");
  return {
    engine: engineFromProto(info.engine),
    variant: variantFromProto(info.variant),
    device: info.device,
    sampleRate: info.sampleRateHz,
    maxSegmentChars: info.maxSegmentChars,
    languages: [...info.languages],
    voiceConversion: info.voiceConversion,
    watermarked: info.watermarked,
    engineVersion: info.engineVersion,
    // Libraries from a newer contract are dropped: callers could not ask for them anyway.
    stretchLibraries: info.stretchLibraries.flatMap((l) => stretchLibraryFromProto(l) ?? []),
    voiceMethod: info.voiceMethod,
    voiceName: info.voiceName,
    voiceLicence: info.voiceLicence,
    memoryMb: info.memoryMb,
    warnings: [...info.warnings],
  };
}

/** LoadModel's or GetModelInfo's answer → the loaded engines; the default must be among them. */
export function loadedEnginesFromProto(response: GetModelInfoResponse): LoadedEngines {
  const defaultInfo = modelInfoFromProto(response.model);
  const loaded = response.engines.map(modelInfoFromProto);
  if (loaded[0]?.engine !== defaultInfo.engine) throw protocolError("the default engine is not the first loaded");
  const unavailable = response.unavailable.map(({ engine, reason }) => ({ engine: engineFromProto(engine), reason }));
  return { default: defaultInfo, loaded, unavailable };
}
