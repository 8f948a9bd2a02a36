/**
 * Speech recognition of uploaded audio (OpenAI's /v1/audio/transcriptions and /translations, and the VC input
 * library's automatic text): the upload is checked like library uploads (not empty, audio by its content),
 * turned into the 16 kHz mono WAV Whisper works on next to it, and read by the sidecar by path, so neither a
 * long recording nor an M4A/WebM file is a problem. OpenAI's model names mean the configured default model.
 */
import { dirname, join } from "node:path";
import { writeRecognitionWav } from "../../audio/recognition-audio.js";
import { ClientGoneError, DomainError, SpeechRecognitionUnavailableError } from "../../domain/errors.js";
import type {
  CallOptions,
  InferenceBackend,
  TranscribeInput,
  Transcript,
  TranscriptionEvent,
  TranscriptionTask,
} from "../../domain/inference.js";
import { checkUploadedAudio, type UploadedFile } from "../library/audio-upload.js";
import { recognitionGap } from "./recognition-gap.js";

/** Model names OpenAI clients send; each means this server's default Whisper model. */
export const OPENAI_STT_MODELS: readonly string[] = ["whisper-1", "gpt-4o-transcribe", "gpt-4o-mini-transcribe"];

export interface TranscriptionServiceOptions {
  backend: InferenceBackend;
  /** What "whisper-1" (and an unset model) means; "" = the largest installed model. */
  defaultModel: string;
}

export interface TranscriptionRequest {
  file: UploadedFile;
  /** The field the file came in, for messages. */
  field: string;
  model: string | undefined;
  task: TranscriptionTask;
  language?: string | undefined;
  prompt?: string | undefined;
  temperature?: number | undefined;
  wordTimestamps: boolean;
}

export class TranscriptionService {
  constructor(private readonly options: TranscriptionServiceOptions) {}

  /** The whole transcript at once. */
  async transcribe(request: TranscriptionRequest, call: CallOptions): Promise<Transcript> {
    return this.options.backend.transcribe(await this.prepare(request, call.signal), call);
  }

  /** Segments as soon as each is decoded (for long audio and streamed responses). */
  async *transcribeStream(request: TranscriptionRequest, call: CallOptions): AsyncGenerator<TranscriptionEvent> {
    yield* this.options.backend.transcribeStream(await this.prepare(request, call.signal), call);
  }

  /**
   * The words of an upload with the default model, for a library's text field: undefined, with the reason as a
   * warning, when recognition is unavailable or fails, since the upload itself must not fail for it.
   */
  async textOf(file: UploadedFile, field: string, call: CallOptions): Promise<{ text?: string; warnings: string[] }> {
    const request = { file, field, model: undefined, task: "transcribe", wordTimestamps: false } as const;
    try {
      const transcript = await this.transcribe(request, call);
      const text = transcript.text.trim();
      const from = `transcribed by speech recognition (${transcript.info.model})`;
      const warnings = transcript.info.warnings;
      if (text === "") return { warnings: [...warnings, `no words were recognised, so text is empty (${from})`] };
      return { text, warnings: [...warnings, `text was ${from}; send text to set it yourself`] };
    } catch (error) {
      if (!(error instanceof DomainError) || error instanceof ClientGoneError) throw error;
      return { warnings: [`text was not filled in by speech recognition: ${error.message}`] };
    }
  }

  /** Checks that recognition is installed, then the upload; writes the WAV the sidecar reads. */
  private async prepare(request: TranscriptionRequest, signal?: AbortSignal): Promise<TranscribeInput> {
    await this.requireAvailable();
    await checkUploadedAudio(request.file, request.field);
    const wav = join(dirname(request.file.path), "recognition.wav");
    await writeRecognitionWav(request.file.path, wav, signal);
    return {
      audio: { path: wav },
      model: this.modelName(request.model),
      task: request.task,
      wordTimestamps: request.wordTimestamps,
      ...(request.language !== undefined ? { language: request.language } : {}),
      ...(request.prompt !== undefined ? { prompt: request.prompt } : {}),
      ...(request.temperature !== undefined ? { temperature: request.temperature } : {}),
    };
  }

  private modelName(asked: string | undefined): string {
    return asked === undefined || OPENAI_STT_MODELS.includes(asked) ? this.options.defaultModel : asked;
  }

  /** A server without faster-whisper or without any model answers 501 at once, not 503 "try later". */
  private async requireAvailable(): Promise<void> {
    const gap = recognitionGap(await this.options.backend.transcriptionModels());
    if (gap === "not_installed") {
      throw new SpeechRecognitionUnavailableError(
        "Speech recognition is not installed on this server (the sidecar has no faster-whisper); run `npm install`",
      );
    }
    if (gap === "no_model") {
      throw new SpeechRecognitionUnavailableError(
        "No speech-recognition model is installed on this server (see models/README.md)",
      );
    }
  }
}
