/**
 * Voice conversion (spec §3.2): the source (a vc_inputs/ name, an upload or a URL) decoded at the engine's
 * rate, converted toward the target voice (a reference_audio/ name or a URL) in overlapping chunks joined
 * with an equal-power crossfade, then the post-processing chain, export and metadata. A chunk that fails
 * fails the request, naming the chunk: the original silently put silence in its place.
 */
import { planChunks, joinWithCrossfade } from "../../audio/crossfade.js";
import { decodeToPcm } from "../../audio/decode.js";
import { durationSeconds } from "../../audio/pcm.js";
import type { MonoPcm } from "../../domain/audio.js";
import { ClientGoneError, InferenceFailedError } from "../../domain/errors.js";
import type {
  AudioInput,
  CallOptions,
  CallPriority,
  InferenceBackend,
  ModelInfo,
  SynthesisStats,
} from "../../domain/inference.js";
import type { Logger } from "../../logging.js";
import type { NamedAudioStore } from "../../storage/named-audio-store.js";
import type { OutputStore, PublishedFile } from "../../storage/output-store.js";
import { engineInput, type AudioSources, type RequestSources } from "../audio-sources.js";
import type { OutputNamer } from "../output-name.js";
import type { OutputWriter } from "../output-writer.js";
import { runPostProcessing } from "../post-processing/chain.js";
import { switchedOffWarnings, unknownFieldWarnings, watermarkWarning } from "../request-warnings.js";
import { countVoiceUse, type VoiceHooks } from "../tts/voice-defaults.js";
import { vcMetadata } from "./vc-metadata.js";
import type { VcRequest } from "./vc-request.js";

export interface VcServiceOptions {
  backend: InferenceBackend;
  /** vc_inputs/, where `input_audio_source` names are looked up. */
  inputs: NamedAudioStore;
  /** reference_audio/, where `target_voice_source` names are looked up. */
  voices: NamedAudioStore;
  /** Downloads of URL sources. */
  sources: AudioSources;
  outputs: OutputStore;
  writer: OutputWriter;
  /** The whole conversion of one request (every chunk) must end within this. */
  inferenceTimeoutMs: number;
  namer: OutputNamer;
  /** Usage statistics of the target voice. */
  voiceHooks: Pick<VoiceHooks, "recordUse">;
}

export interface VcResult {
  files: PublishedFile[];
  processingTimeSeconds: number;
  warnings: string[];
  /** The engine that converted, and the seconds of audio in (the source) and out. */
  engine: string;
  sourceSeconds: number;
  durationSeconds: number;
}

export interface ConvertOptions {
  signal: AbortSignal;
  log: Logger;
  /** Names the request in the engine's logs. */
  requestId: string;
  /** The request's W3C traceparent, passed to the engine beside the request id. */
  traceparent?: string;
  /** The request's place in the engine's queue; unset = standard. */
  priority?: CallPriority;
}

/** The converted audio before post-processing, with what the engine said about each chunk. */
interface Conversion {
  audio: MonoPcm;
  chunks: number;
  stats: SynthesisStats[];
}

export class VcService {
  constructor(private readonly options: VcServiceOptions) {}

  async convert(request: VcRequest, options: ConvertOptions): Promise<VcResult> {
    const { signal, log, requestId, traceparent, priority } = options;
    const started = performance.now();
    const elapsedSeconds = () => Math.round(performance.now() - started) / 1000;
    const folder = await this.options.outputs.folder(request.project);
    const sources = this.options.sources.forRequest(signal);
    try {
      const { inputPath, target } = await this.resolveSources(request, sources);
      const model = (await this.options.backend.engines({ signal })).default;
      const source = await decodeToPcm(inputPath, { sampleRate: model.sampleRate, signal });
      const deadline = Date.now() + this.options.inferenceTimeoutMs;
      const call = { signal, deadline, requestId, traceparent, ...(priority ? { priority } : {}) };
      log.info({ seconds: durationSeconds(source), engine: model.engine }, "vc: converting");
      const conversion = await this.convertInChunks(request, { source, targetVoice: await engineInput(target), call });
      const post = await runPostProcessing(conversion.audio, request.options, { signal });
      if (signal.aborted) throw new ClientGoneError("the client disconnected before the audio was written");
      const warnings = [...this.warnings(request, model, conversion), ...post.warnings];
      const opts = request.options;
      const info = {
        engine: model.engine,
        voiceMethod: conversion.stats.find((stats) => stats.voiceMethod)?.voiceMethod ?? model.voiceMethod,
        chunks: conversion.chunks,
        sampleRate: post.pcm.sampleRate,
        durationSeconds: durationSeconds(post.pcm),
        sourceDurationSeconds: durationSeconds(source),
        watermarked: conversion.stats.some((stats) => stats.watermarked),
        postProcessing: post.stages,
        warnings,
      };
      const files = await this.options.writer.write({
        speech: post.pcm,
        original: post.original,
        formats: opts.export_formats,
        wavSampleFormat: opts.wav_sample_format,
        folder,
        signal,
        stemFor: () =>
          this.options.namer.vc({
            chunkSec: opts.chunk_sec,
            overlapSec: opts.overlap_sec,
            targetVoiceSource: request.target,
            pitchShift: opts.pitch_shift,
          }),
        metadataFor: (published) =>
          vcMetadata(request, { ...info, processingTimeSeconds: elapsedSeconds() }, published),
      });
      if (target.libraryPath) await countVoiceUse(this.options.voiceHooks, target.libraryPath, log);
      const { engine, sourceDurationSeconds: sourceSeconds, durationSeconds: outSeconds } = info;
      return {
        files,
        processingTimeSeconds: elapsedSeconds(),
        warnings,
        engine,
        sourceSeconds,
        durationSeconds: outSeconds,
      };
    } finally {
      await sources.close();
    }
  }

  /** Both sources, checked before any decoding or inference: a bad name or URL fails fast. */
  private async resolveSources(request: VcRequest, sources: RequestSources) {
    const { inputs, voices } = this.options;
    const inputPath =
      typeof request.input === "string"
        ? (await sources.resolve(request.input, inputs, "input_audio_source")).path
        : request.input.path;
    const target = await sources.resolve(request.target, voices, "target_voice_source");
    return { inputPath, target };
  }

  /** Converts the source chunk by chunk, in order; the engine works on one request at a time anyway. */
  private async convertInChunks(
    request: VcRequest,
    context: { source: MonoPcm; targetVoice: AudioInput; call: CallOptions },
  ): Promise<Conversion> {
    const { source, targetVoice, call } = context;
    const opts = request.options;
    const rate = source.sampleRate;
    const spans = planChunks(source.samples.length, opts.chunk_sec * rate, Math.round(opts.overlap_sec * rate));
    const converted: MonoPcm[] = [];
    const stats: SynthesisStats[] = [];
    for (const [index, span] of spans.entries()) {
      const chunk = { sampleRate: rate, samples: source.samples.subarray(span.start, span.end) };
      const input = { source: { pcm: chunk }, targetVoice, pitchShiftSemitones: opts.pitch_shift };
      const result = await this.options.backend.convert(input, call).catch((error: unknown) => {
        if (!(error instanceof InferenceFailedError) || spans.length === 1) throw error;
        const where = `chunk ${index + 1} of ${spans.length} (${span.start / rate}-${span.end / rate} s)`;
        throw new InferenceFailedError(`Voice conversion failed at ${where}: ${error.message}`);
      });
      converted.push(result.audio);
      stats.push(result.stats);
    }
    const outputRate = converted[0]!.sampleRate;
    return {
      audio: joinWithCrossfade(converted, Math.round(opts.overlap_sec * outputRate)),
      chunks: spans.length,
      stats,
    };
  }

  private warnings(request: VcRequest, model: ModelInfo, conversion: Conversion): string[] {
    const watermarked = conversion.stats.some((stats) => stats.watermarked);
    const watermark = watermarkWarning(request.options.disable_watermark, watermarked, model.engine);
    const engineWarnings = conversion.stats.flatMap((stats) => stats.warnings);
    return [
      ...unknownFieldWarnings(request.unknownFields, "VC"),
      ...switchedOffWarnings(request.options, request.explicitFields),
      ...new Set(engineWarnings),
      ...(watermark === undefined ? [] : [watermark]),
    ];
  }
}
