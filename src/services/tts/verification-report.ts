/**
 * What verified TTS tells the client: a summary in the response (JSON body `verification`, audio header
 * `X-Verification`), every chunk's tries in the metadata companion, and warnings for chunks that never passed.
 */
import type { TryRecord } from "./candidate-selection.js";
import type { ChunkOutcome } from "./segment-synthesizer.js";
import type { VerificationOutcome } from "./verified-synthesis.js";

/** The response's `verification` object (wire names). */
export interface VerificationSummary {
  applied: boolean;
  /** Why the chunks were not checked; only when not applied. */
  reason?: string;
  /** The Whisper model that transcribed; null when nothing was transcribed. */
  model: string | null;
  max_wer: number;
  chunks: number;
  /** Chunks tried more than once (a failed check or an engine failure). */
  chunks_retried: number;
  /** Synthesis tries over all chunks. */
  tries: number;
  /** Chunks where no try passed, so the best one was used. */
  chunks_failed: number;
}

export function verificationSummary(verification: VerificationOutcome, outcomes: ChunkOutcome[]): VerificationSummary {
  const { plan } = verification;
  return {
    applied: plan.verify,
    ...(plan.verify ? {} : { reason: plan.reason }),
    model: verification.modelUsed ?? null,
    max_wer: plan.maxWer,
    chunks: outcomes.length,
    chunks_retried: outcomes.filter((outcome) => outcome.tries.length > 1).length,
    tries: outcomes.reduce((sum, outcome) => sum + outcome.tries.length, 0),
    chunks_failed: outcomes.filter((outcome) => outcome.passed === false).length,
  };
}

/** The metadata's `verification`: the summary plus, per chunk, its text, every try and the choice. */
export function verificationRecord(
  verification: VerificationOutcome,
  outcomes: ChunkOutcome[],
  texts: readonly string[],
): object {
  const { plan } = verification;
  return {
    ...verificationSummary(verification, outcomes),
    ...(plan.verify ? { language: plan.language, prefer_longest_transcript: plan.preferLongestTranscript } : {}),
    chunk_details: outcomes.map((outcome, index) => {
      const chosen = outcome.tries[outcome.chosen]!;
      return {
        index,
        text: texts[index],
        chosen: { candidate: chosen.candidate, attempt: chosen.attempt },
        passed: outcome.passed ?? null,
        tries: outcome.tries.map(tryView),
      };
    }),
  };
}

function tryView(record: TryRecord) {
  return {
    candidate: record.candidate,
    attempt: record.attempt,
    seed: record.seed,
    transcript: record.transcript ?? null,
    wer: record.wer === undefined ? null : round(record.wer, 4),
    duration_seconds: record.durationSeconds === undefined ? null : round(record.durationSeconds, 3),
    ...(record.error === undefined ? {} : { error: record.error }),
  };
}

/** Speech recognition's own warnings, then one naming the chunks that never passed. */
export function verificationWarnings(verification: VerificationOutcome, outcomes: ChunkOutcome[]): string[] {
  const { plan } = verification;
  if (!plan.verify) return [];
  const failed = outcomes.flatMap((outcome, index) => (outcome.passed === false ? [index + 1] : []));
  if (failed.length === 0) return verification.warnings;
  const kept = plan.preferLongestTranscript ? "the longest transcript" : "the lowest word error rate";
  const tries = Math.max(...failed.map((chunk) => outcomes[chunk - 1]!.tries.length));
  const triesWord = tries === 1 ? "try" : "tries";
  return [
    ...verification.warnings,
    `${failed.length === 1 ? "chunk" : "chunks"} ${failed.join(", ")} did not pass Whisper validation ` +
      `(word error rate at most ${plan.maxWer}) in ${tries} ${triesWord}; the try with ${kept} was used`,
  ];
}

function round(value: number, digits: number): number {
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
}
