/**
 * Drives the synthesis of all segments in rounds, each one streaming call: the first round speaks every
 * segment, later rounds only the segments that still need a try, each with its next seed. A try fails when
 * the engine fails on it (InferenceFailedError) or, with a verifier, when its transcript does not pass; a
 * segment is tried up to candidates × attempts times (candidate 0's attempts first), then the best try is
 * kept. Each segment is handed to the verifier as soon as the stream finishes it, so recognition runs while
 * the engine speaks the next segments. An engine that gives the same audio for every seed (it names `seed`
 * among its ignored parameters, as Piper does) is not asked again for a try whose check failed. Every other
 * failure ends the request, and every call (retries included) shares the request's one absolute deadline, so
 * retrying never extends it.
 */
import { concatPcm, durationSeconds } from "../../audio/pcm.js";
import type { MonoPcm } from "../../domain/audio.js";
import { InferenceFailedError, InferenceTimeoutError } from "../../domain/errors.js";
import type {
  CallOptions,
  EngineName,
  InferenceBackend,
  SynthesisInput,
  SynthesisStats,
} from "../../domain/inference.js";
import { fallbackChoice, passes, tryPosition, type TryPosition, type TryRecord } from "./candidate-selection.js";

export interface SegmentSynthesisRequest {
  texts: string[];
  /** The seed of one try of segment `index`. */
  seedFor(index: number, position: TryPosition): number;
  /** Candidates per segment: more than one only helps when a verifier can tell them apart. */
  candidates: number;
  /** Attempts per candidate. */
  maxAttempts: number;
  /** Everything of the synthesis input except the segments. */
  input: Omit<SynthesisInput, "segments">;
  /** Checks each try's audio against its text; without one, the first audio of each segment is kept. */
  verifier?: SegmentVerifier;
  /**
   * Told each segment's kept audio and outcome as soon as it is final (segments in any order), so long work can
   * store what is done before the call ends.
   */
  onSegmentDone?(chunk: number, audio: MonoPcm, outcome: ChunkOutcome): void;
}

/** What checking one try found. */
export interface TryCheck {
  transcript: string;
  wer: number;
  /** Set when recognition failed; the try then counts as failed. */
  error?: string;
  /** The start (seconds into the try) of each word heard, when the verifier was asked for word timings. */
  wordStarts?: number[];
}

export interface SegmentVerifier {
  /** Transcribes and scores one try; rejects only with errors that must end the request. */
  check(text: string, audio: MonoPcm, options: CallOptions): Promise<TryCheck>;
  /** A try passes at or below this word error rate. */
  readonly maxWer: number;
  /** When no try passes: keep the longest transcript rather than the lowest error rate. */
  readonly preferLongestTranscript: boolean;
}

/** Every try of one segment and the one whose audio is used. */
export interface ChunkOutcome {
  tries: TryRecord[];
  /** Index into `tries`. */
  chosen: number;
  /** Whether the chosen try passed the check; undefined without a verifier. */
  passed: boolean | undefined;
}

export interface SegmentSynthesisResult {
  /** One entry per segment, in order. */
  segments: MonoPcm[];
  /** One entry per segment, in order. */
  outcomes: ChunkOutcome[];
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

/** Call options of the whole request: one absolute deadline for every attempt. */
export interface SegmentCallOptions extends CallOptions {
  deadline: number;
}

interface ChunkState {
  tries: TryRecord[];
  /** The audio kept if no later try passes: the best failed try so far. */
  kept: { index: number; audio: MonoPcm } | undefined;
  /** Set once the segment is done. */
  done: { outcome: ChunkOutcome; audio: MonoPcm } | undefined;
}

interface Progress {
  chunks: ChunkState[];
  engine: EngineName | undefined;
  sampleRate: number;
  stats: SynthesisStats[];
  warnings: Set<string>;
}

/** A try whose audio is finished: its index among its segment's tries, and the audio. */
interface FinishedTry {
  index: number;
  audio: MonoPcm;
}

/** One streaming call: the segments it speaks, in order, and what came back so far. */
interface Round {
  open: Array<{ chunk: number; position: TryPosition; seed: number }>;
  /** One per try the stream finished, in order: settles once its check (if any) has decided what it is worth. */
  concluded: Array<Promise<void>>;
  pending: Float32Array[];
  /** Stops the round's checks when one of them fails for good (or the request ends). */
  controller: AbortController;
  /** The first check failure that must end the request. */
  fatal: unknown;
}

export async function synthesizeSegments(
  backend: InferenceBackend,
  request: SegmentSynthesisRequest,
  options: SegmentCallOptions,
): Promise<SegmentSynthesisResult> {
  const progress: Progress = {
    chunks: request.texts.map(() => ({ tries: [], kept: undefined, done: undefined })),
    engine: undefined,
    sampleRate: 0,
    stats: [],
    warnings: new Set(),
  };
  while (progress.chunks.some((chunk) => chunk.done === undefined)) {
    if (Date.now() >= options.deadline)
      throw new InferenceTimeoutError("Inference did not finish before its deadline.");
    await runRound(backend, request, progress, options);
    keepFailedTriesOfSeedlessEngine(request, progress);
  }
  // Unreachable with a backend that keeps the contract (every stream starts with `start`).
  if (progress.engine === undefined)
    throw new InferenceFailedError("The inference engine did not say which engine spoke.");
  const done = progress.chunks.map((chunk) => chunk.done!);
  return {
    segments: done.map((d) => d.audio),
    outcomes: done.map((d) => d.outcome),
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

/** One streaming call for every segment not done yet, then the checks of what it produced. */
async function runRound(
  backend: InferenceBackend,
  request: SegmentSynthesisRequest,
  progress: Progress,
  options: SegmentCallOptions,
): Promise<void> {
  const open = progress.chunks.flatMap((state, chunk) => {
    if (state.done) return [];
    const position = tryPosition(state.tries.length, request.maxAttempts);
    return [{ chunk, position, seed: request.seedFor(chunk, position) }];
  });
  const round: Round = { open, concluded: [], pending: [], controller: new AbortController(), fatal: undefined };
  try {
    await streamRound(backend, request, { progress, round, options });
  } catch (error) {
    const failed = open[round.concluded.length];
    if (!(error instanceof InferenceFailedError) || failed === undefined) {
      round.controller.abort();
      throw error;
    }
    recordEngineFailure(request, progress, { ...failed, error });
  }
  await Promise.all(round.concluded);
  if (round.fatal !== undefined) throw round.fatal;
}

interface StreamContext {
  progress: Progress;
  round: Round;
  options: SegmentCallOptions;
}

async function streamRound(
  backend: InferenceBackend,
  request: SegmentSynthesisRequest,
  { progress, round, options }: StreamContext,
): Promise<void> {
  const segments = round.open.map(({ chunk, seed }) => ({ text: request.texts[chunk]!, seed }));
  for await (const event of backend.synthesizeStream({ ...request.input, segments }, options)) {
    if (event.type === "start") {
      progress.engine = event.engine;
      progress.sampleRate = event.sampleRate;
    } else if (event.type === "audio") {
      round.pending.push(event.samples);
      if (event.segmentFinal) finishTry(request, { progress, round, options });
    } else {
      progress.stats.push(event.stats);
    }
  }
}

/** Records the try the stream just finished and starts checking it at once. */
function finishTry(request: SegmentSynthesisRequest, { progress, round, options }: StreamContext): void {
  const { sampleRate } = progress;
  const audio = concatPcm(round.pending.map((samples) => ({ sampleRate, samples })));
  round.pending = [];
  const { chunk, position, seed } = round.open[round.concluded.length]!;
  const state = progress.chunks[chunk]!;
  const record = { ...position, seed, durationSeconds: durationSeconds(audio), ...unchecked() };
  const index = state.tries.push(record) - 1;
  const check = request.verifier
    ?.check(request.texts[chunk]!, audio, { ...options, signal: roundSignal(round, options) })
    .catch((error: unknown) => {
      round.fatal ??= error;
      round.controller.abort();
      return undefined;
    });
  // Each try is concluded as soon as its check is in (at once without a verifier), not at the end of the round.
  const concluded = Promise.resolve(check).then((checked) => {
    if (round.fatal === undefined) conclude(request, { chunk, state }, { index, audio }, checked);
  });
  round.concluded.push(concluded);
}

function unchecked(): Pick<TryRecord, "transcript" | "wer" | "error"> {
  return { transcript: undefined, wer: undefined, error: undefined };
}

function roundSignal(round: Round, options: CallOptions): AbortSignal {
  const own = round.controller.signal;
  return options.signal ? AbortSignal.any([options.signal, own]) : own;
}

/** Keeps a try that passed (or any audio, unverified); otherwise keeps the best and retries while tries remain. */
function conclude(
  request: SegmentSynthesisRequest,
  { chunk, state }: { chunk: number; state: ChunkState },
  finished: FinishedTry,
  check: TryCheck | undefined,
): void {
  const record = state.tries[finished.index]!;
  const { verifier } = request;
  if (check) {
    const { transcript, wer, error, wordStarts } = check;
    Object.assign(record, { transcript, wer, error, ...(wordStarts ? { wordStarts } : {}) });
  }
  if (!verifier || passes(record, verifier.maxWer)) {
    const outcome = { tries: state.tries, chosen: finished.index, passed: verifier ? true : undefined };
    return settle(request, chunk, state, { outcome, audio: finished.audio });
  }
  if (fallbackChoice(state.tries, verifier.preferLongestTranscript) === finished.index)
    state.kept = { index: finished.index, audio: finished.audio };
  if (state.tries.length >= maxTries(request)) keepBest(request, chunk, state);
}

/**
 * When the engine says it ignores the seed, a retry would give the same audio and the same transcript as the
 * try that failed: each segment whose try failed its check keeps its best try at once, and a warning says so.
 * A segment the engine failed on (no audio yet) is still retried, since such a failure need not recur.
 */
function keepFailedTriesOfSeedlessEngine(request: SegmentSynthesisRequest, progress: Progress): void {
  if (!progress.stats.some((stats) => stats.ignoredParameters.includes("seed"))) return;
  const failed = progress.chunks.flatMap((state, chunk) => (state.done === undefined && state.kept ? [chunk] : []));
  if (failed.length === 0) return;
  for (const chunk of failed) keepBest(request, chunk, progress.chunks[chunk]!);
  progress.warnings.add(
    `the ${progress.engine} engine gives the same audio for every seed, so chunks that failed Whisper validation ` +
      "were not tried again (num_candidates_per_chunk and max_attempts_per_candidate had no effect on them)",
  );
}

/** The engine failed on a try: record it, then retry while tries remain, else keep the best or fail. */
function recordEngineFailure(
  request: SegmentSynthesisRequest,
  progress: Progress,
  failed: { chunk: number; position: TryPosition; seed: number; error: InferenceFailedError },
): void {
  const { chunk, position, seed, error } = failed;
  const state = progress.chunks[chunk]!;
  state.tries.push({ ...position, seed, durationSeconds: undefined, ...unchecked(), error: error.message });
  if (state.tries.length < maxTries(request)) {
    progress.warnings.add(`segment ${chunk + 1} failed and was generated again (attempt ${state.tries.length + 1})`);
    return;
  }
  if (!state.kept) throw error;
  keepBest(request, chunk, state);
}

function keepBest(request: SegmentSynthesisRequest, chunk: number, state: ChunkState): void {
  const { index, audio } = state.kept!;
  settle(request, chunk, state, { outcome: { tries: state.tries, chosen: index, passed: false }, audio });
}

function settle(
  request: SegmentSynthesisRequest,
  chunk: number,
  state: ChunkState,
  done: ChunkState["done"] & {},
): void {
  state.done = done;
  request.onSegmentDone?.(chunk, done.audio, done.outcome);
}

function maxTries(request: SegmentSynthesisRequest): number {
  return request.candidates * request.maxAttempts;
}
