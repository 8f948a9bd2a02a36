/**
 * The TTS pipeline: sound words and text preprocessing, segmentation, the reference voice (a library name
 * or a URL), synthesis through the inference backend (speed applied by the engine; each chunk checked by
 * speech recognition unless bypassed), joining, the post-processing chain, export and metadata. Everything
 * the request asked for is either done or reported in `warnings`.
 */
import type { Logger } from "../../logging.js";
import { concatPcm, durationSeconds } from "../../audio/pcm.js";
import { findEngine, notLoadedMessage, segmentLimitOf } from "../../domain/engine-selection.js";
import { ClientGoneError, ValidationError } from "../../domain/errors.js";
import type { AudioInput, EngineName, InferenceBackend, ModelInfo } from "../../domain/inference.js";
import type { NamedAudioStore } from "../../storage/named-audio-store.js";
import type { OutputFolder, OutputStore, PublishedFile } from "../../storage/output-store.js";
import { engineInput, type AudioSources, type RequestSources, type ResolvedSource } from "../audio-sources.js";
import type { OutputNamer } from "../output-name.js";
import type { OutputWriter } from "../output-writer.js";
import { runPostProcessing, type PostProcessingResult, type SpeedStage } from "../post-processing/chain.js";
import { resolveSeed } from "../seeds.js";
import type { SegmentCallOptions, SegmentSynthesisResult } from "./segment-synthesizer.js";
import { prepareText, type PreparedText } from "./text-preparation.js";
import { ttsMetadata } from "./tts-metadata.js";
import type { TtsRequest } from "./tts-request.js";
import { switchedOffWarnings, watermarkWarning } from "../request-warnings.js";
import { ignoredParameterWarning, progressiveWarnings, unavailableOptionWarnings } from "./tts-warnings.js";
import { startProgressive } from "./progressive-synthesis.js";
import type { SpeechStream } from "./speech-stream.js";
import {
  verificationRecord,
  verificationSummary,
  verificationWarnings,
  type VerificationSummary,
} from "./verification-report.js";
import { synthesizeVerified, type VerificationOutcome } from "./verified-synthesis.js";
import { applyVoiceDefaults, countVoiceUse, type VoiceHooks } from "./voice-defaults.js";

export interface TtsServiceOptions {
  backend: InferenceBackend;
  /** reference_audio/, where `reference_audio_filename` names are looked up. */
  voices: NamedAudioStore;
  /** Downloads of URL references. */
  sources: AudioSources;
  outputs: OutputStore;
  writer: OutputWriter;
  /** Config's cap on segment length; the loaded engine's own limit applies when it is lower. */
  maxSegmentChars: number;
  /** The whole synthesis of one request (every retry included) must end within this. */
  inferenceTimeoutMs: number;
  /** Generated file names (local time with microseconds, never repeating). */
  namer: OutputNamer;
  /** Uniform [0, 1) source for random seeds. */
  random: () => number;
  /** The voice library's defaults and usage statistics. */
  voiceHooks: VoiceHooks;
  /** Verified TTS: a chunk's try passes at or below this word error rate (config stt.verify_max_wer). */
  verifyMaxWer: number;
}

export interface TtsResult {
  files: PublishedFile[];
  /** The engine that spoke. */
  engine: EngineName;
  /** Of the published audio, after post-processing. */
  durationSeconds: number;
  seedUsed: number;
  processingTimeSeconds: number;
  warnings: string[];
  /** The voice's default parameters that filled fields the request left unset. */
  voiceDefaultsApplied: Record<string, unknown>;
  /** Whether and how the chunks were checked by speech recognition. */
  verification: VerificationSummary;
}

export interface GenerateOptions {
  signal: AbortSignal;
  log: Logger;
  /** Names the request in the engine's logs. */
  requestId: string;
  /** The request's W3C traceparent, passed to the engine beside the request id. */
  traceparent?: string;
}

/** What synthesis and post-processing produced, ready to be written. */
interface Speech {
  text: PreparedText;
  seedUsed: number;
  synthesis: SegmentSynthesisResult;
  verification: VerificationOutcome;
  post: PostProcessingResult;
}

/** What synthesizing one request needs besides the request. */
interface SpeakContext {
  text: PreparedText;
  voice: AudioInput | undefined;
  engine: EngineName;
  log: Logger;
  call: SegmentCallOptions;
}

/** What publishing the files of one request needs besides the request. */
interface PublishContext {
  speech: Speech;
  folder: OutputFolder;
  warnings: string[];
  signal: AbortSignal;
  elapsedSeconds: () => number;
  /** The voice defaults used, recorded in the metadata. */
  applied: Record<string, unknown>;
}

export class TtsService {
  constructor(private readonly options: TtsServiceOptions) {}

  async generate(asked: TtsRequest, { signal, log, requestId, traceparent }: GenerateOptions): Promise<TtsResult> {
    const started = performance.now();
    const elapsedSeconds = () => Math.round(performance.now() - started) / 1000;
    // Cheap checks first: a bad folder or voice, or text with nothing to speak, fail before any inference.
    const folder = await this.options.outputs.folder(asked.project);
    const sources = this.options.sources.forRequest(signal);
    try {
      const voice = await this.voice(asked, sources);
      const defaults = applyVoiceDefaults(asked, voice?.libraryPath ? this.defaultsFor(voice.libraryPath) : {});
      const request = defaults.request;
      const engine = await this.engineFor(request);
      const text = prepareText(request, this.limitOf(engine));
      const call = { signal, deadline: Date.now() + this.options.inferenceTimeoutMs, requestId, traceparent };
      const input = { engine: engine.engine, voice: voice && (await engineInput(voice)) };
      const speech = await this.speak(request, { text, ...input, log, call });
      if (signal.aborted) throw new ClientGoneError("the client disconnected before the audio was written");
      const warnings = [...defaults.warnings, ...this.warnings(request, speech)];
      const applied = defaults.applied;
      const files = await this.publish(request, { speech, folder, warnings, signal, elapsedSeconds, applied });
      if (voice?.libraryPath) await countVoiceUse(this.options.voiceHooks, voice.libraryPath, log);
      const processingTimeSeconds = elapsedSeconds();
      const verification = verificationSummary(speech.verification, speech.synthesis.outcomes);
      const { seedUsed } = speech;
      return {
        files,
        engine: speech.synthesis.engine,
        durationSeconds: durationSeconds(speech.post.pcm),
        seedUsed,
        processingTimeSeconds,
        warnings,
        voiceDefaultsApplied: applied,
        verification,
      };
    } finally {
      await sources.close();
    }
  }

  /**
   * The same request spoken progressively: resolves once synthesis has started, then hands out each piece of
   * audio as the engine produces it (see speech-stream.ts). Nothing is verified, post-processed or saved.
   */
  async stream(asked: TtsRequest, { signal, log, requestId, traceparent }: GenerateOptions): Promise<SpeechStream> {
    const sources = this.options.sources.forRequest(signal);
    try {
      const voice = await this.voice(asked, sources);
      const defaults = applyVoiceDefaults(asked, voice?.libraryPath ? this.defaultsFor(voice.libraryPath) : {});
      const request = defaults.request;
      const engine = await this.engineFor(request);
      const { texts } = prepareText(request, this.limitOf(engine));
      const seedUsed = resolveSeed(request.options.seed, this.options.random);
      log.info({ segments: texts.length, seed: seedUsed, engine: engine.engine }, "tts: streaming");
      const warnings = [
        ...defaults.warnings,
        ...progressiveWarnings(request, "speech"),
        ...switchedOffWarnings(request.options, request.explicitFields),
      ];
      const finish = async (succeeded: boolean) => {
        if (succeeded && voice?.libraryPath) await countVoiceUse(this.options.voiceHooks, voice.libraryPath, log);
        await sources.close();
      };
      const input = { engine: engine.engine, voice: voice && (await engineInput(voice)) };
      const spec = { request, texts, seedUsed, ...input, warnings, finish };
      const call = { signal, deadline: Date.now() + this.options.inferenceTimeoutMs, requestId, traceparent };
      return await startProgressive(this.options.backend, spec, call);
    } catch (error) {
      await sources.close();
      throw error;
    }
  }

  private defaultsFor(voicePath: string): Record<string, unknown> {
    return this.options.voiceHooks.defaultsFor(voicePath);
  }

  /** The default engine's segment limit (see segmentLimitOf). ModelNotReadyError while no engine is loaded. */
  async segmentLimit(): Promise<number> {
    return this.limitOf((await this.options.backend.engines()).default);
  }

  private limitOf(engine: ModelInfo): number {
    return segmentLimitOf(engine, this.options.maxSegmentChars);
  }

  /**
   * The loaded engine that speaks for the request.
   * @throws ValidationError (422 on `engine`) naming the loaded engines when the one asked for is not loaded
   */
  private async engineFor(request: TtsRequest): Promise<ModelInfo> {
    const engines = await this.options.backend.engines();
    const found = findEngine(engines, request.engine);
    if (found) return found;
    // Only a named engine can be missing: no engine means the default, and `auto` always finds a loaded one.
    const message = notLoadedMessage(engines, request.engine as EngineName);
    throw new ValidationError(message, [{ loc: ["body", "engine"], msg: message, type: "value_error" }]);
  }

  /** The reference voice: a file in reference_audio/ or a download of a URL; undefined for none. */
  private async voice(request: TtsRequest, sources: RequestSources): Promise<ResolvedSource | undefined> {
    if (!request.referenceAudioFilename) return undefined;
    return sources.resolve(request.referenceAudioFilename, this.options.voices, "reference_audio_filename");
  }

  private async speak(request: TtsRequest, context: SpeakContext): Promise<Speech> {
    const { text, voice, engine, log, call } = context;
    const seedUsed = resolveSeed(request.options.seed, this.options.random);
    log.info({ segments: text.texts.length, seed: seedUsed, engine }, "tts: synthesizing");
    const { backend, verifyMaxWer: maxWer } = this.options;
    const spec = { request, texts: text.texts, seedUsed, voice, engine, maxWer };
    const { synthesis, verification } = await synthesizeVerified(backend, spec, call);
    const post = await runPostProcessing(concatPcm(synthesis.segments), request.options, { signal: call.signal });
    return { text, seedUsed, synthesis, verification, post };
  }

  private warnings(request: TtsRequest, speech: Speech): string[] {
    const { synthesis, verification } = speech;
    const { engine } = synthesis;
    const engineWarnings = [
      ignoredParameterWarning(request, synthesis.ignoredParameters, engine),
      watermarkWarning(request.options.disable_watermark, synthesis.watermarked, engine),
    ];
    return [
      ...unavailableOptionWarnings(request, verification.plan),
      ...switchedOffWarnings(request.options, request.explicitFields),
      ...synthesis.warnings,
      ...verificationWarnings(verification, synthesis.outcomes),
      ...engineWarnings.filter((w) => w !== undefined),
      ...speech.post.warnings,
    ];
  }

  private publish(request: TtsRequest, context: PublishContext): Promise<PublishedFile[]> {
    const { speech, folder, warnings, signal, elapsedSeconds, applied } = context;
    const opts = request.options;
    const nameParams = {
      temperature: opts.temperature,
      requestedSeed: opts.seed,
      exaggeration: opts.exaggeration,
      speedFactor: opts.speed_factor,
      trim: opts.trim,
      trimThresholdMs: opts.trim_threshold_ms,
    };
    const audio = speech.post.pcm;
    return this.options.writer.write({
      speech: audio,
      original: speech.post.original,
      formats: opts.export_formats,
      wavSampleFormat: opts.wav_sample_format,
      folder,
      signal,
      stemFor: () => this.options.namer.tts(nameParams),
      metadataFor: (files) =>
        ttsMetadata(
          request,
          {
            seedUsed: speech.seedUsed,
            engine: speech.synthesis.engine,
            voiceMethod: speech.synthesis.voiceMethod,
            soundWords: speech.text.soundWords,
            processedText: speech.text.texts.join(" "),
            segmentCount: speech.text.texts.length,
            sampleRate: audio.sampleRate,
            durationSeconds: durationSeconds(audio),
            watermarked: speech.synthesis.watermarked,
            stretchLibrary: speech.synthesis.stretchLibrary,
            postProcessing: [...speedStages(opts.speed_factor, speech.synthesis), ...speech.post.stages],
            processingTimeSeconds: elapsedSeconds(),
            voiceDefaultsApplied: applied,
            verification: verificationRecord(speech.verification, speech.synthesis.outcomes, speech.text.texts),
            warnings,
          },
          files,
        ),
    });
  }
}

/** The sidecar's speed change as the first post-processing stage; none at speed 1. */
function speedStages(speedFactor: number, synthesis: SegmentSynthesisResult): SpeedStage[] {
  if (speedFactor === 1) return [];
  const library = synthesis.stretchLibrary ?? null;
  return [{ name: "speed", applied: true, speed_factor: speedFactor, library, ms: round1(synthesis.stretchMs) }];
}

function round1(ms: number): number {
  return Math.round(ms * 10) / 10;
}
