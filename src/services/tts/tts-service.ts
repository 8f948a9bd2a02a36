/**
 * The TTS pipeline: text preprocessing and segmentation, the reference voice, synthesis through the
 * inference backend (speed applied by the engine), joining, optional trimming, export and metadata.
 * Everything the request asked for is either done or reported in `warnings`.
 */
import type { Logger } from "../../logging.js";
import { concatPcm, durationSeconds } from "../../audio/pcm.js";
import { trimSilence, type TrimInfo } from "../../audio/trim.js";
import type { MonoPcm } from "../../domain/audio.js";
import { ClientGoneError, ValidationError } from "../../domain/errors.js";
import type { AudioInput, InferenceBackend } from "../../domain/inference.js";
import { preprocessText } from "../../text/preprocess.js";
import { segmentText } from "../../text/segment.js";
import type { OutputFolder, OutputStore, PublishedFile } from "../../storage/output-store.js";
import type { ReferenceVoiceStore } from "../../storage/reference-voice-store.js";
import type { OutputNamer } from "../output-name.js";
import { deriveSegmentSeed, resolveSeed } from "../seeds.js";
import { synthesizeSegments, type SegmentCallOptions, type SegmentSynthesisResult } from "./segment-synthesizer.js";
import { ttsMetadata } from "./tts-metadata.js";
import type { TtsOutputWriter } from "./tts-output-writer.js";
import type { TtsRequest } from "./tts-request.js";
import { ignoredParameterWarning, unavailableOptionWarnings, watermarkWarning } from "./tts-warnings.js";
import { applyVoiceDefaults, type VoiceHooks } from "./voice-defaults.js";

export interface TtsServiceOptions {
  backend: InferenceBackend;
  voices: ReferenceVoiceStore;
  outputs: OutputStore;
  writer: TtsOutputWriter;
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
}

export interface TtsResult {
  files: PublishedFile[];
  seedUsed: number;
  processingTimeSeconds: number;
  warnings: string[];
  /** The voice's default parameters that filled fields the request left unset. */
  voiceDefaultsApplied: Record<string, unknown>;
}

export interface GenerateOptions {
  signal: AbortSignal;
  log: Logger;
  /** Names the request in the engine's logs. */
  requestId: string;
}

/** What synthesis produced, ready to be written. */
interface Speech {
  texts: string[];
  seedUsed: number;
  synthesis: SegmentSynthesisResult;
  audio: MonoPcm;
  trim: TrimInfo | undefined;
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

  async generate(asked: TtsRequest, { signal, log, requestId }: GenerateOptions): Promise<TtsResult> {
    const started = performance.now();
    const deadline = Date.now() + this.options.inferenceTimeoutMs;
    const elapsedSeconds = () => Math.round(performance.now() - started) / 1000;
    // Cheap checks first: a bad folder or voice, or text with nothing to speak, fail before any inference.
    const folder = await this.options.outputs.folder(asked.project);
    const voice = await this.voice(asked);
    const defaults = applyVoiceDefaults(asked, voice ? this.options.voiceHooks.defaultsFor(voice.path) : {});
    const request = defaults.request;
    const processed = this.preprocess(request);
    const texts = this.segments(request, processed, await this.segmentLimit());
    const speech = await this.speak(request, { texts, voice, log, call: { signal, deadline, requestId } });
    if (signal.aborted) throw new ClientGoneError("the client disconnected before the audio was written");
    const warnings = [...defaults.warnings, ...this.warnings(request, speech.synthesis)];
    const applied = defaults.applied;
    const files = await this.publish(request, { speech, folder, warnings, signal, elapsedSeconds, applied });
    if (voice) await this.countUse(voice.path, log);
    const processingTimeSeconds = elapsedSeconds();
    return { files, seedUsed: speech.seedUsed, processingTimeSeconds, warnings, voiceDefaultsApplied: applied };
  }

  /** The audio exists either way: failing to count a use is logged, not turned into a failed request. */
  private async countUse(voicePath: string, log: Logger): Promise<void> {
    await this.options.voiceHooks.recordUse(voicePath).catch((error: unknown) => {
      log.warn({ err: error }, "tts: the voice's usage statistics could not be updated");
    });
  }

  /** The text after the request's preprocessing options; 422 when nothing speakable is left. */
  private preprocess(request: TtsRequest): string {
    const opts = request.options;
    const processed = preprocessText(request.text, {
      normalizeSpacing: opts.normalize_spacing,
      fixDotLetters: opts.fix_dot_letters,
      removeReferenceNumbers: opts.remove_reference_numbers,
    });
    if (processed.trim() === "") {
      throw new ValidationError("Text is empty after preprocessing", [
        { loc: ["body", "text"], msg: "nothing is left to speak after preprocessing", type: "value_error" },
      ]);
    }
    return processed;
  }

  /**
   * The longest segment sent to the engine: the engine's announced limit, lowered by config, so the server
   * never sends a segment the engine refuses. ModelNotReadyError while no engine is loaded.
   */
  async segmentLimit(): Promise<number> {
    const model = await this.options.backend.modelInfo();
    return Math.min(this.options.maxSegmentChars, model.maxSegmentChars);
  }

  /** Preprocessed text cut into segments of at most `maxChars`. */
  private segments(request: TtsRequest, processed: string, maxChars: number): string[] {
    const opts = request.options;
    return segmentText(processed, {
      maxChars,
      enableBatching: opts.enable_batching,
      smartBatchShortSentences: opts.smart_batch_short_sentences,
      toLowercase: opts.to_lowercase,
      ...(request.language ? { language: request.language } : {}),
    });
  }

  private async voice(request: TtsRequest): Promise<{ path: string } | undefined> {
    if (!request.referenceAudioFilename) return undefined;
    return { path: await this.options.voices.resolve(request.referenceAudioFilename) };
  }

  private async speak(
    request: TtsRequest,
    context: { texts: string[]; voice: AudioInput | undefined; log: Logger; call: SegmentCallOptions },
  ): Promise<Speech> {
    const { texts, voice, log, call } = context;
    const opts = request.options;
    const seedUsed = resolveSeed(opts.seed, this.options.random);
    log.info({ segments: texts.length, seed: seedUsed }, "tts: synthesizing");
    const synthesis = await synthesizeSegments(
      this.options.backend,
      {
        texts,
        seedFor: (chunkIndex, attempt) => deriveSegmentSeed({ base: seedUsed, chunkIndex, attempt }),
        maxAttempts: opts.max_attempts_per_candidate,
        input: {
          voice,
          params: { exaggeration: opts.exaggeration, cfgWeight: opts.cfg_weight, temperature: opts.temperature },
          language: request.language,
          speed: opts.speed_factor === 1 ? undefined : opts.speed_factor,
          stretchLibrary: opts.speed_factor_library,
        },
      },
      call,
    );
    const joined = concatPcm(synthesis.segments);
    const trimmed = opts.trim ? trimSilence(joined, { thresholdMs: opts.trim_threshold_ms }) : undefined;
    return { texts, seedUsed, synthesis, audio: trimmed?.pcm ?? joined, trim: trimmed?.info };
  }

  private warnings(request: TtsRequest, synthesis: SegmentSynthesisResult): string[] {
    const { engine } = synthesis;
    const engineWarnings = [
      ignoredParameterWarning(request, synthesis.ignoredParameters, engine),
      watermarkWarning(request.options.disable_watermark, synthesis.watermarked, engine),
    ];
    return [
      ...unavailableOptionWarnings(request),
      ...synthesis.warnings,
      ...engineWarnings.filter((w) => w !== undefined),
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
    return this.options.writer.write({
      speech: speech.audio,
      formats: opts.export_formats,
      folder,
      signal,
      stemFor: () => this.options.namer.tts(nameParams),
      metadataFor: (files) =>
        ttsMetadata(
          request,
          {
            seedUsed: speech.seedUsed,
            engine: speech.synthesis.engine,
            processedText: speech.texts.join(" "),
            segmentCount: speech.texts.length,
            sampleRate: speech.audio.sampleRate,
            durationSeconds: durationSeconds(speech.audio),
            watermarked: speech.synthesis.watermarked,
            stretchLibrary: speech.synthesis.stretchLibrary,
            trim: speech.trim,
            processingTimeSeconds: elapsedSeconds(),
            voiceDefaultsApplied: applied,
            warnings,
          },
          files,
        ),
    });
  }
}
