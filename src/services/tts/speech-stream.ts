/**
 * Progressive synthesis: the audio of a TTS request handed out segment by segment as the engine produces it,
 * for clients that play while the rest is still being spoken (/v1/audio/speech, the realtime WebSocket,
 * `progressive=true` on /api/v1/tts). Whatever needs the whole audio (Whisper verification, trimming,
 * loudness, silence compaction) cannot run on it; those options are reported in `warnings`, never dropped
 * silently.
 */
import type { EngineName } from "../../domain/inference.js";

/** Samples of one piece of a segment, in order. */
export interface SpeechChunk {
  /** Mono float samples at the stream's `sampleRate`. */
  samples: Float32Array;
  /** Zero-based segment the samples belong to. */
  segmentIndex: number;
  /** The last piece of its segment. */
  segmentFinal: boolean;
}

/** What is known once the stream has ended. */
export interface SpeechStreamSummary {
  /** Everything to report: the stream's `warnings` plus the engine's (e.g. parameters it does not use). */
  warnings: string[];
  /** Seconds of audio produced. */
  durationSeconds: number;
}

export interface SpeechStream {
  engine: EngineName;
  sampleRate: number;
  /** The seed the segments' seeds derive from (the request's, or a random one for seed 0). */
  seedUsed: number;
  segmentCount: number;
  /** Characters of the text as it was sent to the engine (after preprocessing), the usage measure. */
  characters: number;
  /**
   * Known before the first sample: voice defaults, options progressive delivery cannot apply, unknown fields.
   * A caller may add its own (about fields it mapped) before sending; `summary()` includes them.
   */
  warnings: string[];
  /**
   * The audio as it is produced; iterate once. Ends after the last segment; rejects with a DomainError when
   * synthesis fails. Breaking out of the loop, or the request's signal aborting, cancels the sidecar call.
   */
  chunks: AsyncIterable<SpeechChunk>;
  /** Valid after `chunks` has ended. */
  summary(): SpeechStreamSummary;
}
