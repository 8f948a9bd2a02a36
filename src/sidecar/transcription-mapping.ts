/**
 * Speech-recognition messages ↔ domain types: the TranscribeRequest built from a TranscribeInput, and the
 * sidecar's transcripts, segments and model list in domain terms. A `start` or `end` event out of order is a
 * protocol error, as for synthesis streams.
 */
import type {
  TranscribeInput,
  Transcript,
  TranscriptionEvent,
  TranscriptionInfo,
  TranscriptionModels,
  TranscriptionStats,
  TranscriptSegment,
} from "../domain/inference.js";
import {
  TranscriptionTask,
  type ListTranscriptionModelsResponse,
  type TranscribeRequest,
  type TranscribeResponse,
  type TranscribeStreamResponse,
  type TranscriptionStart,
  type TranscriptionStats as ProtoStats,
  type TranscriptSegment as ProtoSegment,
} from "./generated/chatterbox/v1/speech.js";
import { audioSourceToProto, protocolError } from "./proto-mapping.js";

export function transcribeRequestToProto(input: TranscribeInput): TranscribeRequest {
  return {
    audio: audioSourceToProto(input.audio),
    model: input.model ?? "",
    language: input.language ?? "",
    task:
      input.task === "translate"
        ? TranscriptionTask.TRANSCRIPTION_TASK_TRANSLATE
        : TranscriptionTask.TRANSCRIPTION_TASK_TRANSCRIBE,
    wordTimestamps: input.wordTimestamps ?? false,
    prompt: input.prompt ?? "",
    temperature: input.temperature,
    beamSize: input.beamSize ?? 0,
  };
}

function infoFromProto(info: TranscriptionStart | undefined): TranscriptionInfo {
  if (!info) throw protocolError("a transcript without its model and language");
  return {
    model: info.model,
    language: info.language,
    languageProbability: info.languageProbability,
    durationSeconds: info.durationSeconds,
    warnings: [...info.warnings],
    device: info.device,
  };
}

function statsFromProto(stats: ProtoStats | undefined): TranscriptionStats {
  return { queueWaitMs: stats?.queueWaitMs ?? 0, loadMs: stats?.loadMs ?? 0, processingMs: stats?.processingMs ?? 0 };
}

function segmentFromProto(segment: ProtoSegment): TranscriptSegment {
  return {
    id: segment.id,
    start: segment.startSeconds,
    end: segment.endSeconds,
    text: segment.text,
    avgLogprob: segment.avgLogprob,
    noSpeechProb: segment.noSpeechProb,
    compressionRatio: segment.compressionRatio,
    temperature: segment.temperature,
    tokens: [...segment.tokens],
    words: segment.words.map((w) => ({ start: w.startSeconds, end: w.endSeconds, word: w.word, probability: w.probability })),
    seek: segment.seek,
  };
}

export function transcriptFromProto(response: TranscribeResponse): Transcript {
  return {
    info: infoFromProto(response.info),
    text: response.text,
    segments: response.segments.map(segmentFromProto),
    stats: statsFromProto(response.stats),
  };
}

export function transcriptionModelsFromProto(response: ListTranscriptionModelsResponse): TranscriptionModels {
  return {
    available: response.available,
    engineVersion: response.engineVersion,
    models: response.models,
    defaultModel: response.defaultModel,
    memoryBudgetMb: response.memoryBudgetMb,
  };
}

/** Decodes the messages of one TranscribeStream call, checking their order; use a new decoder per call. */
export class TranscriptionEventDecoder {
  private started = false;
  private ended = false;

  decode(message: TranscribeStreamResponse): TranscriptionEvent {
    const event = message.event;
    if (event === undefined) throw protocolError("a transcription message without an event");
    if (this.ended) throw protocolError(`a ${event.$case} event after the end event`);
    if (event.$case === "start") {
      if (this.started) throw protocolError("a second start event");
      this.started = true;
      return { type: "start", info: infoFromProto(event.start) };
    }
    if (!this.started) throw protocolError(`a ${event.$case} event before the start event`);
    if (event.$case === "segment") return { type: "segment", segment: segmentFromProto(event.segment) };
    this.ended = true;
    return { type: "end", text: event.end.text, stats: statsFromProto(event.end.stats) };
  }

  /** Called when the call finished with OK: a stream without `end` is an incomplete transcript. */
  assertComplete(): void {
    if (!this.ended) throw protocolError("the transcription stream finished without an end event");
  }
}
