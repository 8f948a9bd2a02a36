/**
 * The TTS pipeline: sound words and text preprocessing, segmentation, the reference voice (a library name
 * or a URL), synthesis through the inference backend (speed applied by the engine; each chunk checked by
 * speech recognition unless bypassed), joining, the post-processing chain, export (captions and a chaptered
 * book included) and metadata. Everything the request asked for is either done or reported in `warnings`.
 * The phases (prepare, speakSegments, finish) are public so a long-form job can run them a piece at a time.
 */
import type { Logger } from "../../logging.js";
import { concatPcm, durationSeconds } from "../../audio/pcm.js";
import { findEngine, notLoadedMessage, segmentLimitOf } from "../../domain/engine-selection.js";
import { ClientGoneError, ValidationError } from "../../domain/errors.js";
import type { AudioInput, CallPriority, EngineName, InferenceBackend, ModelInfo } from "../../domain/inference.js";
import type { NamedAudioStore } from "../../storage/named-audio-store.js";
import type { OutputFolder, OutputStore, PublishedFile } from "../../storage/output-store.js";
import { engineInput, type AudioSources, type RequestSources, type ResolvedSource } from "../audio-sources.js";
import type { OutputNamer } from "../output-name.js";
import type { OutputWriter } from "../output-writer.js";
import { runPostProcessing, type PostProcessingResult, type SpeedStage } from "../post-processing/chain.js";
import { resolveSeed } from "../seeds.js";
import type { ChunkOutcome, SegmentCallOptions, SegmentSynthesisResult } from "./segment-synthesizer.js";
import type { MonoPcm } from "../../domain/audio.js";
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
import { captionFile, chapterFiles, chapterMarks, segmentSpans, type ChapterPlan } from "./timed-text.js";
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
  /** The request's place in the engine's queue; unset = standard. */
  priority?: CallPriority;
}

/** A request made ready to speak (see TtsService.prepare). */
export interface TtsPlan {
  /** The request with the voice's default parameters applied. */
  request: TtsRequest;
  voice: ResolvedSource | undefined;
  /** The voice as the engine receives it. */
  voiceInput: AudioInput | undefined;
  engine: EngineName;
  /** The most characters one segment may have with this engine. */
  segmentLimit: number;
  /** The voice defaults used, recorded in the metadata. */
  applied: Record<string, unknown>;
  /** Stored voice defaults that could not be used. */
  defaultsWarnings: string[];
}

/** Consecutive segments of a request: `texts[0]` is segment `firstIndex`. */
export interface SegmentRange {
  texts: string[];
  seedUsed: number;
  firstIndex: number;
  /** Told each segment (by its index in the request) as soon as its audio is final, before the call ends. */
  onSegmentDone?: (index: number, audio: MonoPcm, outcome: ChunkOutcome) => void;
}

export interface SpokenSegments {
  synthesis: SegmentSynthesisResult;
  verification: VerificationOutcome;
}

/** Every segment of a request spoken, ready to be post-processed and written. */
export interface Speech extends SpokenSegments {
  text: PreparedText;
  seedUsed: number;
}

export interface FinishContext extends GenerateOptions {
  folder: OutputFolder;
  /** performance.now() when the work began, for processing_time_seconds. */
  started: number;
  /** The text's chapters: the files then also include a book with chapter marks, or each chapter's own files. */
  chapters?: ChapterPlan;
  /** Merged into the companion metadata (a job's id and segments). */
  extraMetadata?: object;
}

/** What publishing the files of one request needs besides the plan. */
interface PublishContext {
  speech: Speech;
  post: PostProcessingResult;
  folder: OutputFolder;
  warnings: string[];
  signal: AbortSignal;
  elapsedSeconds: () => number;
  context: FinishContext;
}

export class TtsService {
  constructor(private readonly options: TtsServiceOptions) {}

  async generate(asked: TtsRequest, options: GenerateOptions): Promise<TtsResult> {
    const started = performance.now();
    // Cheap checks first: a bad folder or voice, or text with nothing to speak, fail before any inference.
    const folder = await this.options.outputs.folder(asked.project);
    const sources = this.options.sources.forRequest(options.signal);
    try {
      const plan = await this.prepare(asked, sources);
      const text = prepareText(plan.request, plan.segmentLimit);
      const seedUsed = resolveSeed(plan.request.options.seed, this.options.random);
      options.log.info({ segments: text.texts.length, seed: seedUsed, engine: plan.engine }, "tts: synthesizing");
      const call = this.callOptions(options);
      const spoken = await this.speakSegments(plan, { texts: text.texts, seedUsed, firstIndex: 0 }, call);
      return await this.finish(plan, { text, seedUsed, ...spoken }, { folder, started, ...options });
    } finally {
      await sources.close();
    }
  }

  /**
   * Everything about a request that comes before speaking: the reference voice (a library file or a
   * download through `sources`), its default parameters applied, and the engine that speaks.
   * @throws ValidationError for a voice that cannot be used or an engine that is not loaded
   */
  async prepare(asked: TtsRequest, sources: RequestSources): Promise<TtsPlan> {
    const voice = await this.voice(asked, sources);
    const defaults = applyVoiceDefaults(asked, voice?.libraryPath ? this.defaultsFor(voice.libraryPath) : {});
    const engine = await this.engineFor(defaults.request);
    return {
      request: defaults.request,
      voice,
      voiceInput: voice && (await engineInput(voice)),
      engine: engine.engine,
      segmentLimit: this.limitOf(engine),
      applied: defaults.applied,
      defaultsWarnings: defaults.warnings,
    };
  }

  /**
   * Speaks `texts` (segments `firstIndex`… of the request), each checked by speech recognition unless
   * bypassed. Segment n gets the same seeds whichever call speaks it, so a range spoken on its own sounds
   * exactly as it does inside the whole request.
   */
  async speakSegments(plan: TtsPlan, range: SegmentRange, call: SegmentCallOptions): Promise<SpokenSegments> {
    const { backend, verifyMaxWer: maxWer } = this.options;
    const { request, voiceInput: voice, engine } = plan;
    const spec = { request, voice, engine, maxWer, ...range };
    return synthesizeVerified(backend, spec, call);
  }

  /**
   * Post-processes the joined segments, writes every requested file (captions included) and counts the
   * voice's use.
   * @throws ClientGoneError when `signal` aborted before the files were written
   */
  async finish(plan: TtsPlan, speech: Speech, context: FinishContext): Promise<TtsResult> {
    const { request } = plan;
    const { signal, log, folder, started } = context;
    const elapsedSeconds = () => Math.round(performance.now() - started) / 1000;
    const post = await runPostProcessing(concatPcm(speech.synthesis.segments), request.options, { signal });
    if (signal.aborted) throw new ClientGoneError("the client disconnected before the audio was written");
    const warnings = [...plan.defaultsWarnings, ...this.warnings(request, speech, post)];
    const files = await this.publish(plan, { speech, post, folder, warnings, signal, elapsedSeconds, context });
    if (plan.voice?.libraryPath) await countVoiceUse(this.options.voiceHooks, plan.voice.libraryPath, log);
    return {
      files,
      engine: speech.synthesis.engine,
      durationSeconds: durationSeconds(post.pcm),
      seedUsed: speech.seedUsed,
      processingTimeSeconds: elapsedSeconds(),
      warnings,
      voiceDefaultsApplied: plan.applied,
      verification: verificationSummary(speech.verification, speech.synthesis.outcomes),
    };
  }

  /** The engine calls of one request (or one step of a job): one absolute deadline for all of them. */
  callOptions(options: Omit<GenerateOptions, "log">): SegmentCallOptions {
    const { signal, requestId, traceparent, priority } = options;
    const deadline = Date.now() + this.options.inferenceTimeoutMs;
    return { signal, deadline, requestId, ...(traceparent ? { traceparent } : {}), ...(priority ? { priority } : {}) };
  }

  /**
   * The same request spoken progressively: resolves once synthesis has started, then hands out each piece of
   * audio as the engine produces it (see speech-stream.ts). Nothing is verified, post-processed or saved.
   */
  async stream(asked: TtsRequest, options: GenerateOptions): Promise<SpeechStream> {
    const { signal, log } = options;
    const sources = this.options.sources.forRequest(signal);
    try {
      const plan = await this.prepare(asked, sources);
      const { request, voice } = plan;
      const { texts } = prepareText(request, plan.segmentLimit);
      const seedUsed = resolveSeed(request.options.seed, this.options.random);
      log.info({ segments: texts.length, seed: seedUsed, engine: plan.engine }, "tts: streaming");
      const warnings = [
        ...plan.defaultsWarnings,
        ...progressiveWarnings(request, "speech"),
        ...switchedOffWarnings(request.options, request.explicitFields),
      ];
      const finish = async (succeeded: boolean) => {
        if (succeeded && voice?.libraryPath) await countVoiceUse(this.options.voiceHooks, voice.libraryPath, log);
        await sources.close();
      };
      const spec = { request, texts, seedUsed, engine: plan.engine, voice: plan.voiceInput, warnings, finish };
      // Someone is listening while it is spoken: it goes ahead of file and batch work in the engine's queue.
      const call = this.callOptions({ ...options, priority: "interactive" });
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

  private warnings(request: TtsRequest, speech: Speech, post: PostProcessingResult): string[] {
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
      ...post.warnings,
    ];
  }

  private publish(plan: TtsPlan, publishing: PublishContext): Promise<PublishedFile[]> {
    const { speech, post, folder, warnings, signal, elapsedSeconds, context } = publishing;
    const { request } = plan;
    const opts = request.options;
    const nameParams = {
      temperature: opts.temperature,
      requestedSeed: opts.seed,
      exaggeration: opts.exaggeration,
      speedFactor: opts.speed_factor,
      trim: opts.trim,
      trimThresholdMs: opts.trim_threshold_ms,
    };
    const audio = post.pcm;
    const { segments, outcomes } = speech.synthesis;
    const spans = segmentSpans(speech.text.displayTexts, segments, outcomes, durationSeconds(audio));
    const chapters = context.chapters && chapterMarks(context.chapters, spans);
    return this.options.writer.write({
      speech: audio,
      original: post.original,
      formats: opts.export_formats,
      wavSampleFormat: opts.wav_sample_format,
      folder,
      signal,
      stemFor: () => this.options.namer.tts(nameParams),
      derived: [
        ...opts.caption_formats.map((format) => captionFile(format, spans)),
        ...(context.chapters && chapters ? chapterFiles(context.chapters, chapters, opts.export_formats) : []),
      ],
      metadataFor: (files) => ({
        ...ttsMetadata(
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
            postProcessing: [...speedStages(opts.speed_factor, speech.synthesis), ...post.stages],
            processingTimeSeconds: elapsedSeconds(),
            voiceDefaultsApplied: plan.applied,
            verification: verificationRecord(speech.verification, speech.synthesis.outcomes, speech.text.texts),
            warnings,
          },
          files,
        ),
        ...(chapters ? { chapters } : {}),
        ...context.extraMetadata,
      }),
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
