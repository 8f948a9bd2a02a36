/**
 * Drives one streaming synthesis call over all segments and collects each segment's audio. A segment that
 * fails with an inference error is retried, with a fresh seed, up to `max_attempts_per_candidate` times,
 * resuming from the first unfinished segment; every other failure ends the request. Every call (retries
 * included) shares the request's one absolute deadline, so retrying never extends it.
 */
import { concatPcm } from "../../audio/pcm.js";
import type { MonoPcm } from "../../domain/audio.js";
import { InferenceFailedError, InferenceTimeoutError } from "../../domain/errors.js";
import type {
  CallOptions,
  EngineName,
  InferenceBackend,
  SynthesisInput,
  SynthesisStats,
  TextSegment,
} from "../../domain/inference.js";

export interface SegmentSynthesisRequest {
  texts: string[];
  /** The seed of segment `index` at attempt `attempt` (0-based). */
  seedFor(index: number, attempt: number): number;
  maxAttempts: number;
  /** Everything of the synthesis input except the segments. */
  input: Omit<SynthesisInput, "segments">;
}

export interface SegmentSynthesisResult {
  /** One entry per segment, in order. */
  segments: MonoPcm[];
  engine: EngineName;
  watermarked: boolean;
  stretchLibrary: SynthesisStats["stretchLibrary"];
  /** How the reference voice shaped the speech, in the engine's words; "" without one. */
  voiceMethod: string;
  /** Wall time the engine spent time-stretching, over every call. */
  stretchMs: number;
  /** Generation parameters the engine did not use (deduplicated). */
  ignoredParameters: string[];
  /** Engine warnings (deduplicated) and retry notes. */
  warnings: string[];
}

interface Progress {
  done: MonoPcm[];
  pending: Float32Array[];
  attempts: number[];
  engine: EngineName | undefined;
  sampleRate: number;
  stats: SynthesisStats[];
  warnings: Set<string>;
}

/** Call options of the whole request: one absolute deadline for every attempt. */
export interface SegmentCallOptions extends CallOptions {
  deadline: number;
}

export async function synthesizeSegments(
  backend: InferenceBackend,
  request: SegmentSynthesisRequest,
  options: SegmentCallOptions,
): Promise<SegmentSynthesisResult> {
  const progress: Progress = {
    done: [],
    pending: [],
    attempts: request.texts.map(() => 0),
    engine: undefined,
    sampleRate: 0,
    stats: [],
    warnings: new Set(),
  };
  while (progress.done.length < request.texts.length) {
    if (Date.now() >= options.deadline)
      throw new InferenceTimeoutError("Inference did not finish before its deadline.");
    try {
      await streamFrom(backend, request, progress, options);
    } catch (error) {
      const failed = progress.done.length;
      if (!(error instanceof InferenceFailedError) || progress.attempts[failed]! + 1 >= request.maxAttempts)
        throw error;
      progress.attempts[failed]! += 1;
      progress.pending = [];
      progress.warnings.add(
        `segment ${failed + 1} failed and was generated again (attempt ${progress.attempts[failed]! + 1})`,
      );
    }
  }
  // Unreachable with a backend that keeps the contract (every stream starts with `start`).
  if (progress.engine === undefined)
    throw new InferenceFailedError("The inference engine did not say which engine spoke.");
  return {
    segments: progress.done,
    engine: progress.engine,
    watermarked: progress.stats.some((s) => s.watermarked),
    stretchLibrary: progress.stats.find((s) => s.stretchLibrary)?.stretchLibrary,
    voiceMethod: progress.stats.find((s) => s.voiceMethod)?.voiceMethod ?? "",
    stretchMs: progress.stats.reduce((sum, s) => sum + s.stretchMs, 0),
    ignoredParameters: progress.stats.flatMap((s) => s.ignoredParameters).filter(unique),
    warnings: [...progress.warnings, ...progress.stats.flatMap((s) => s.warnings)].filter(unique),
  };
}

function unique(value: string, index: number, all: string[]): boolean {
  return all.indexOf(value) === index;
}

/** One streaming call for the segments not done yet; appends finished segments to `progress.done`. */
async function streamFrom(
  backend: InferenceBackend,
  request: SegmentSynthesisRequest,
  progress: Progress,
  options: CallOptions,
): Promise<void> {
  const first = progress.done.length;
  const segments: TextSegment[] = request.texts
    .slice(first)
    .map((text, offset) => ({ text, seed: request.seedFor(first + offset, progress.attempts[first + offset]!) }));
  for await (const event of backend.synthesizeStream({ ...request.input, segments }, options)) {
    if (event.type === "start") {
      progress.engine = event.engine;
      progress.sampleRate = event.sampleRate;
    } else if (event.type === "audio") {
      progress.pending.push(event.samples);
      if (event.segmentFinal) finishSegment(progress);
    } else {
      progress.stats.push(event.stats);
    }
  }
}

function finishSegment(progress: Progress): void {
  const { sampleRate } = progress;
  progress.done.push(concatPcm(progress.pending.map((samples) => ({ sampleRate, samples }))));
  progress.pending = [];
}
