/** Wires the stores and services over one inference backend, as main.ts runs them and the tests build them. */
import type { AppConfig } from "../config/app-config.js";
import type { InferenceBackend } from "../domain/inference.js";
import { OutputStore } from "../storage/output-store.js";
import { ReferenceVoiceStore } from "../storage/reference-voice-store.js";
import { createOutputNamer } from "./output-name.js";
import { TtsOutputWriter } from "./tts/tts-output-writer.js";
import { TtsService } from "./tts/tts-service.js";

export interface Services {
  outputs: OutputStore;
  tts: TtsService;
}

export function createServices(config: AppConfig, backend: InferenceBackend): Services {
  const outputs = new OutputStore(config.paths.outputs);
  const tts = new TtsService({
    backend,
    voices: new ReferenceVoiceStore(config.paths.referenceAudio),
    outputs,
    writer: new TtsOutputWriter(outputs, config.paths.temp),
    maxSegmentChars: config.inference.maxSegmentChars,
    inferenceTimeoutMs: config.api.inferenceTimeoutMs,
    namer: createOutputNamer(),
    random: Math.random,
  });
  return { outputs, tts };
}
