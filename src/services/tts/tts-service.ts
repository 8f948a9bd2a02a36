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
import { synthesizeSegments, type SegmentSynthesisResult } from "./segment-synthesizer.js";
import { ttsMetadata } from "./tts-metadata.js";
import type { TtsOutputWriter } from "./tts-output-writer.js";
import type { TtsRequest } from "./tts-request.js";
import { ignoredParameterWarning, unavailableOptionWarnings, watermarkWarning } from "./tts-warnings.js";

export interface TtsServiceOptions {
  backend: InferenceBackend;
  voices: ReferenceVoiceStore;
  outputs: OutputStore;
  writer: TtsOutputWriter;
  maxSegmentChars: number;
  inferenceTimeoutMs: number;
  /** Generated file names (local time with microseconds, never repeating). */
  namer: OutputNamer;
  /** Uniform [0, 1) source for random seeds. */
  random: () => number;
}

export interface TtsResult {
  files: PublishedFile[];
  seedUsed: number;
  processingTimeSeconds: number;
  warnings: string[];
}

export interface GenerateOptions {
  signal: AbortSignal;
  log: Logger;
}

/** What synthesis produced, ready to be written. */
interface Speech {
  texts: string[];
  seedUsed: number;
  synthesis: SegmentSynthesisResult;
  audio: MonoPcm;
  trim: TrimInfo | undefined;
}

export class TtsService {
  constructor(private readonly options: TtsServiceOptions) {}

  async generate(request: TtsRequest, { signal, log }: GenerateOptions): Promise<TtsResult> {
    const started = performance.now();
    const elapsedSeconds = () => Math.round(performance.now() - started) / 1000;
    // Cheap checks first: a bad folder or voice must fail before any inference time is spent.
    const texts = this.segments(request);
    const folder = await this.options.outputs.folder(request.project);
    const voice = await this.voice(request);
    const speech = await this.speak(request, { texts, voice, signal, log });
    if (signal.aborted) throw new ClientGoneError("the client disconnected before the audio was written");
    const warnings = this.warnings(request, speech.synthesis);
    const files = await this.publish(request, { speech, folder, warnings, signal, elapsedSeconds });
    return { files, seedUsed: speech.seedUsed, processingTimeSeconds: elapsedSeconds(), warnings };
  }

  /** Preprocessed text cut into model-sized segments. */
  private segments(request: TtsRequest): string[] {
    const opts = request.options;
    const processed = preprocessText(request.text, {
      normalizeSpacing: opts.normalize_spacing,
      fixDotLetters: opts.fix_dot_letters,
      removeReferenceNumbers: opts.remove_reference_numbers,
    });
    const segments = segmentText(processed, {
      maxChars: this.options.maxSegmentChars,
      enableBatching: opts.enable_batching,
      smartBatchShortSentences: opts.smart_batch_short_sentences,
      toLowercase: opts.to_lowercase,
      ...(request.language ? { language: request.language } : {}),
    });
    if (segments.length === 0) {
      throw new ValidationError("Text is empty after preprocessing", [
        { loc: ["body", "text"], msg: "nothing is left to speak after preprocessing", type: "value_error" },
      ]);
    }
    return segments;
  }

  private async voice(request: TtsRequest): Promise<AudioInput | undefined> {
    if (!request.referenceAudioFilename) return undefined;
    return { path: await this.options.voices.resolve(request.referenceAudioFilename) };
  }

  private async speak(
    request: TtsRequest,
    context: { texts: string[]; voice: AudioInput | undefined; signal: AbortSignal; log: Logger },
  ): Promise<Speech> {
    const { texts, voice, signal, log } = context;
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
          requestId: String(log.bindings().reqId ?? ""),
        },
      },
      { signal, timeoutMs: this.options.inferenceTimeoutMs },
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
    return [...unavailableOptionWarnings(request), ...synthesis.warnings, ...engineWarnings.filter((w) => w !== undefined)];
  }

  private publish(
    request: TtsRequest,
    context: { speech: Speech; folder: OutputFolder; warnings: string[]; signal: AbortSignal; elapsedSeconds: () => number },
  ): Promise<PublishedFile[]> {
    const { speech, folder, warnings, signal, elapsedSeconds } = context;
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
        ttsMetadata(request, {
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
          warnings,
        }, files),
    });
  }
}
