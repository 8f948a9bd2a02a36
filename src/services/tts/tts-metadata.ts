/** The companion JSON of a TTS output: what was asked, what was used, and what came out. */
import type { SoundWordReplacement } from "../../text/sound-words.js";
import { fileKey, type PublishedFile } from "../../storage/output-store.js";
import type { TtsRequest } from "./tts-request.js";

export interface TtsGenerationInfo {
  seedUsed: number;
  engine: string;
  /** How the reference voice shaped the speech, in the engine's words; "" without one. */
  voiceMethod: string;
  /** Sound-word rules that matched, with their counts. */
  soundWords: SoundWordReplacement[];
  processedText: string;
  segmentCount: number;
  sampleRate: number;
  durationSeconds: number;
  watermarked: boolean;
  stretchLibrary: string | undefined;
  /** Post-processing stages in the order they ran, with what each measured. */
  postProcessing: unknown[];
  processingTimeSeconds: number;
  /** The voice's default parameters used for fields the request left unset. */
  voiceDefaultsApplied: Record<string, unknown>;
  /** Speech-recognition checks: the summary and every chunk's tries, transcripts, scores and choice. */
  verification: object;
  warnings: string[];
}

export function ttsMetadata(request: TtsRequest, info: TtsGenerationInfo, files: PublishedFile[]): object {
  return {
    type: "tts",
    created_at: new Date().toISOString(),
    parameters: {
      text: request.text,
      reference_audio_filename: request.referenceAudioFilename ?? null,
      project: request.project ?? null,
      // An unset language is English for every engine (SynthesisInput.language "" = "en").
      language: request.language ?? "en",
      // The engine asked for; generation_info.engine is the one that spoke.
      engine: request.engine ?? null,
      ...request.options,
    },
    generation_info: {
      seed_used: info.seedUsed,
      engine: info.engine,
      voice_method: info.voiceMethod || null,
      processing_time_seconds: info.processingTimeSeconds,
      text_length: request.text.length,
      processed_text_length: info.processedText.length,
      sound_word_replacements: info.soundWords,
      chunks_processed: info.segmentCount,
      sample_rate: info.sampleRate,
      duration_seconds: info.durationSeconds,
      watermarked: info.watermarked,
      speed_factor_library_used: info.stretchLibrary ?? null,
      post_processing: info.postProcessing,
      voice_defaults_applied: info.voiceDefaultsApplied,
    },
    verification: info.verification,
    files: Object.fromEntries(files.map((file) => [fileKey(file), file.filename])),
    warnings: info.warnings,
  };
}
