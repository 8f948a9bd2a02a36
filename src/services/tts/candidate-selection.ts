/**
 * The order of tries of one chunk and the choice among them (verified TTS). A chunk is tried as candidate 0,
 * attempt 0, 1, ... up to max_attempts_per_candidate, then candidate 1, and so on; the first try whose
 * transcript passes ends the chunk. When none passes, the original server's fallback applies: the longest
 * transcript with use_longest_transcript_on_fail, else the lowest word error rate.
 */

/** Where one try stands: which candidate, which attempt of it. */
export interface TryPosition {
  candidate: number;
  attempt: number;
}

/** What is known about one try of a chunk, in the order the tries were made. */
export interface TryRecord extends TryPosition {
  seed: number;
  /** Seconds of audio; undefined when the engine failed and nothing came out. */
  durationSeconds: number | undefined;
  /** What speech recognition heard; undefined when unverified or nothing came out. */
  transcript: string | undefined;
  /** Word error rate of the transcript against the chunk's text; undefined when unverified or no audio. */
  wer: number | undefined;
  /** Why the try failed (engine or transcription error), when it did. */
  error: string | undefined;
  /** When word timestamps were asked for: the start (seconds into the try) of each word heard. */
  wordStarts?: number[] | undefined;
}

/** Try number `index` (0-based) of a chunk: all attempts of candidate 0 first, then candidate 1's... */
export function tryPosition(index: number, maxAttempts: number): TryPosition {
  return { candidate: Math.floor(index / maxAttempts), attempt: index % maxAttempts };
}

/** True when the try produced audio that was transcribed within the threshold. */
export function passes(record: TryRecord, maxWer: number): boolean {
  return record.error === undefined && record.wer !== undefined && record.wer <= maxWer;
}

/**
 * The index of the try to keep when none passed: among the tries with audio, the longest transcript (in
 * characters) when `preferLongestTranscript`, else the lowest word error rate; ties go to the earliest try.
 * Undefined when no try produced audio.
 */
export function fallbackChoice(tries: readonly TryRecord[], preferLongestTranscript: boolean): number | undefined {
  let best: number | undefined;
  tries.forEach((record, index) => {
    if (record.durationSeconds === undefined) return;
    if (best === undefined || isBetter(record, tries[best]!, preferLongestTranscript)) best = index;
  });
  return best;
}

function isBetter(record: TryRecord, current: TryRecord, preferLongestTranscript: boolean): boolean {
  if (preferLongestTranscript) return (record.transcript ?? "").length > (current.transcript ?? "").length;
  return (record.wer ?? Infinity) < (current.wer ?? Infinity);
}
