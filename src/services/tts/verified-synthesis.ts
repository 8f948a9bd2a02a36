/**
 * Verified TTS (the original's Whisper validation, spec §7): each try of a chunk is transcribed by the
 * sidecar's speech recognition and scored against the chunk's text; up to num_candidates_per_chunk
 * candidates of max_attempts_per_candidate attempts each are tried until one passes. Without verification
 * (bypassed, or no speech recognition) one candidate per chunk is generated, since extra candidates could
 * never be chosen.
 */
import type { MonoPcm } from "../../domain/audio.js";
import { InferenceFailedError, ModelNotReadyError } from "../../domain/errors.js";
import type { CallOptions, InferenceBackend } from "../../domain/inference.js";
import { wordErrorRate } from "../../text/transcript-score.js";
import { recognitionGap } from "../stt/recognition-gap.js";
import { deriveSegmentSeed } from "../seeds.js";
import {
  synthesizeSegments,
  type ChunkOutcome,
  type SegmentCallOptions,
  type SegmentSynthesisResult,
  type SegmentVerifier,
  type TryCheck,
} from "./segment-synthesizer.js";
import { synthesisSettings, type SynthesisSettingsSpec } from "./synthesis-settings.js";

/** Whether this request's chunks are checked, and why not when they are not. */
export type VerificationPlan =
  | {
      verify: true;
      model: string;
      language: string;
      maxWer: number;
      preferLongestTranscript: boolean;
      wordTimestamps: boolean;
    }
  | { verify: false; reason: string; maxWer: number };

/** What verification did, for the response, the warnings and the metadata. */
export interface VerificationOutcome {
  plan: VerificationPlan;
  /** The Whisper model the sidecar actually used (it may fall back); undefined when nothing was transcribed. */
  modelUsed: string | undefined;
  /** Speech recognition's own warnings (e.g. the asked-for model is not installed), deduplicated. */
  warnings: string[];
}

export interface VerifiedSynthesisSpec extends SynthesisSettingsSpec {
  /** The chunks' texts as sent to the engine, which transcripts are scored against. */
  texts: string[];
  seedUsed: number;
  /** The request's index of `texts[0]`: seeds follow a segment's place in the whole request. */
  firstIndex: number;
  /** Told each segment (by its index in the request) as soon as its audio is final. */
  onSegmentDone?: ((index: number, audio: MonoPcm, outcome: ChunkOutcome) => void) | undefined;
  /** A try passes at or below this word error rate (config stt.verify_max_wer). */
  maxWer: number;
}

export async function synthesizeVerified(
  backend: InferenceBackend,
  spec: VerifiedSynthesisSpec,
  call: SegmentCallOptions,
): Promise<{ synthesis: SegmentSynthesisResult; verification: VerificationOutcome }> {
  const { texts, seedUsed, firstIndex } = spec;
  const opts = spec.request.options;
  const plan = await planVerification(backend, spec, call);
  const checker = plan.verify ? new TranscriptChecker(backend, plan) : undefined;
  const synthesis = await synthesizeSegments(
    backend,
    {
      texts,
      seedFor: (chunk, position) => deriveSegmentSeed({ base: seedUsed, chunkIndex: firstIndex + chunk, ...position }),
      candidates: plan.verify ? opts.num_candidates_per_chunk : 1,
      maxAttempts: opts.max_attempts_per_candidate,
      input: synthesisSettings(spec),
      ...(checker ? { verifier: checker } : {}),
      ...(spec.onSegmentDone
        ? { onSegmentDone: (chunk, audio, outcome) => spec.onSegmentDone?.(firstIndex + chunk, audio, outcome) }
        : {}),
    },
    call,
  );
  // Sorted: transcriptions finish in any order, and the same request must report the same warnings.
  const warnings = [...(checker?.warnings ?? [])].sort();
  const verification = { plan, modelUsed: checker?.modelUsed, warnings };
  return { synthesis, verification };
}

/**
 * Verification runs unless bypassed, and when the sidecar has speech recognition with a model installed;
 * otherwise the audio is generated unverified and the reason is recorded.
 */
async function planVerification(
  backend: InferenceBackend,
  { request, maxWer }: VerifiedSynthesisSpec,
  call: CallOptions,
): Promise<VerificationPlan> {
  const opts = request.options;
  if (opts.bypass_whisper_checking) return { verify: false, reason: "bypass_whisper_checking is true", maxWer };
  const unavailable = await sttUnavailable(backend, call);
  if (unavailable !== undefined) return { verify: false, reason: unavailable, maxWer };
  return {
    verify: true,
    model: opts.whisper_model_name,
    language: request.language ?? "en",
    maxWer,
    preferLongestTranscript: opts.use_longest_transcript_on_fail,
    // Captions place their cues at the words heard, when recognition hears the text's words.
    wordTimestamps: opts.caption_formats.length > 0,
  };
}

/** Why speech recognition cannot be used now, or undefined when it can. */
async function sttUnavailable(backend: InferenceBackend, call: CallOptions): Promise<string | undefined> {
  try {
    const gap = recognitionGap(await backend.transcriptionModels(call));
    if (gap === "not_installed") return "speech recognition (faster-whisper) is not installed in the inference sidecar";
    if (gap === "no_model") return "no Whisper model is installed (models/whisper/)";
    return undefined;
  } catch (error) {
    if (error instanceof ModelNotReadyError) return `speech recognition is not ready: ${error.message}`;
    throw error;
  }
}

/** Transcribes each try with the request's Whisper model, deterministically, and scores it. */
class TranscriptChecker implements SegmentVerifier {
  readonly maxWer: number;
  readonly preferLongestTranscript: boolean;
  modelUsed: string | undefined;
  readonly warnings = new Set<string>();

  constructor(
    private readonly backend: InferenceBackend,
    private readonly plan: Extract<VerificationPlan, { verify: true }>,
  ) {
    this.maxWer = plan.maxWer;
    this.preferLongestTranscript = plan.preferLongestTranscript;
  }

  async check(text: string, audio: MonoPcm, options: CallOptions): Promise<TryCheck> {
    const { model, language, wordTimestamps } = this.plan;
    try {
      // Temperature 0 and a fixed beam make recognition deterministic, so a fixed seed gives the same choice.
      const transcript = await this.backend.transcribe(
        { audio: { pcm: audio }, model, language, temperature: 0, beamSize: 5, wordTimestamps },
        options,
      );
      this.modelUsed ??= transcript.info.model;
      for (const warning of transcript.info.warnings) this.warnings.add(warning);
      const heard = { transcript: transcript.text, wer: wordErrorRate(text, transcript.text) };
      if (!wordTimestamps) return heard;
      return { ...heard, wordStarts: transcript.segments.flatMap((s) => s.words.map((word) => word.start)) };
    } catch (error) {
      // Like an engine failure, a failed recognition fails the try (its audio stays a fallback); every other
      // error (timeout, overload, client gone) ends the request.
      if (!(error instanceof InferenceFailedError)) throw error;
      return { transcript: "", wer: 1, error: `speech recognition failed: ${error.message}` };
    }
  }
}
