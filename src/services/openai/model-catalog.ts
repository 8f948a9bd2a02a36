/**
 * The models of the OpenAI-compatible API: what GET /v1/models lists and the `model` check of
 * /v1/audio/speech. This server speaks with one loaded engine at a time, so OpenAI's speech model names all
 * mean that engine, as does the engine's own id; transcription models are listed only while speech recognition
 * can serve them.
 *
 * `created` (OpenAI: when the model was made) is the time this server process started serving its models:
 * the age of checkpoint files says nothing a client can use, and a stable, never-future time keeps clients
 * that sort or cache by it sane. `owned_by` names who made the model (resemble-ai for Chatterbox, espeak-ng
 * for eSpeak NG, openai for Whisper); OpenAI's speech names are owned by the maker of the engine answering them.
 */
import { ModelNotFoundError } from "../../domain/errors.js";
import type {
  ChatterboxVariantName,
  EngineName,
  InferenceBackend,
  ModelInfo,
  TranscriptionModels,
} from "../../domain/inference.js";
import { recognitionGap } from "../stt/recognition-gap.js";
import { OPENAI_STT_MODELS } from "../stt/transcription-service.js";

/** OpenAI's speech model names (the Node SDK's `SpeechModel`). */
export const OPENAI_SPEECH_MODELS: readonly string[] = [
  "tts-1",
  "tts-1-hd",
  "gpt-4o-mini-tts",
  "gpt-4o-mini-tts-2025-12-15",
];

const VARIANTS: readonly ChatterboxVariantName[] = ["english", "multilingual", "turbo"];

export interface OpenAiModel {
  id: string;
  object: "model";
  /** Unix seconds. */
  created: number;
  owned_by: string;
  /** Extension: speech synthesis or speech recognition. */
  kind: "tts" | "stt";
  /** Extension: the engine that runs it (chatterbox, espeak, faster-whisper). */
  engine: string;
  /** Extension: for OpenAI's names, the id of this server's model that answers them; null for the others. */
  alias_of: string | null;
  /** Extension, speech models of engines with voice models of their own (piper): the voice and its licence. */
  voice?: { name: string; licence: string };
}

/** Which engine speaks for a request's `model`. */
export interface SpeechModelChoice {
  /** The id the request named. */
  requested: string;
  /** The loaded engine's own model id, e.g. "chatterbox-turbo". */
  model: string;
  engine: EngineName;
}

/** The loaded engine's own model id: chatterbox, chatterbox-multilingual, chatterbox-turbo, piper or espeak. */
export function speechModelId(info: Pick<ModelInfo, "engine" | "variant">): string {
  if (info.engine !== "chatterbox") return info.engine;
  return info.variant === undefined || info.variant === "english" ? "chatterbox" : `chatterbox-${info.variant}`;
}

/** Ids of engines this server can run, loaded or not (to say "not loaded" rather than "unknown"). */
const ENGINE_MODEL_IDS: ReadonlySet<string> = new Set([
  "piper",
  "espeak",
  ...VARIANTS.map((variant) => speechModelId({ engine: "chatterbox", variant })),
]);

/**
 * The engine that speaks for `model`.
 * @throws ModelNotFoundError (404, param "model") naming the accepted ids
 */
export function resolveSpeechModel(model: string, info: ModelInfo): SpeechModelChoice {
  const own = speechModelId(info);
  if (model === own || OPENAI_SPEECH_MODELS.includes(model))
    return { requested: model, model: own, engine: info.engine };
  const notLoaded = ENGINE_MODEL_IDS.has(model) ? ` (it runs ${own}, not ${model})` : "";
  const message =
    `Model '${model}' is not a speech model of this server${notLoaded}; ` +
    `use one of ${[...OPENAI_SPEECH_MODELS, own].join(", ")}`;
  throw new ModelNotFoundError(message, [{ loc: ["body", "model"], msg: message, type: "not_found" }]);
}

const OWNER_BY_ENGINE: Readonly<Record<EngineName, string>> = {
  chatterbox: "resemble-ai",
  piper: "rhasspy",
  espeak: "espeak-ng",
};

export interface ModelCatalogOptions {
  backend: Pick<InferenceBackend, "modelInfo" | "transcriptionModels">;
  /** What OpenAI's transcription names mean (config stt.default_model); "" = the sidecar's default. */
  defaultTranscriptionModel: string;
  /** Unix seconds, every model's `created`. */
  createdAt: number;
}

export class ModelCatalog {
  constructor(private readonly options: ModelCatalogOptions) {}

  /** Speech models, then transcription models; a backend that is not ready rejects (503). */
  async list(): Promise<OpenAiModel[]> {
    const { backend } = this.options;
    const [info, recognition] = await Promise.all([backend.modelInfo(), backend.transcriptionModels()]);
    return [...this.speechModels(info), ...this.transcriptionModels(recognition)];
  }

  /** @throws ModelNotFoundError (404, param "model") */
  async get(id: string): Promise<OpenAiModel> {
    const models = await this.list();
    const found = models.find((model) => model.id === id);
    if (found) return found;
    const message = `Model '${id}' does not exist on this server; GET /v1/models lists the ${models.length} it serves`;
    throw new ModelNotFoundError(message, [{ loc: ["path", "model"], msg: message, type: "not_found" }]);
  }

  /**
   * The engine that speaks for a speech request's `model`, asked of the backend now.
   * @throws ModelNotFoundError (404, param "model"); ModelNotReadyError (503) while the engine loads
   */
  async checkSpeechModel(model: string): Promise<SpeechModelChoice> {
    return resolveSpeechModel(model, await this.options.backend.modelInfo());
  }

  private speechModels(info: ModelInfo): OpenAiModel[] {
    const own = speechModelId(info);
    const model = this.model({ kind: "tts", engine: info.engine, owned_by: OWNER_BY_ENGINE[info.engine] });
    const voice = info.voiceName === "" ? {} : { voice: { name: info.voiceName, licence: info.voiceLicence } };
    return [...OPENAI_SPEECH_MODELS.map((id) => model(id, own)), model(own, null)].map((m) => ({ ...m, ...voice }));
  }

  private transcriptionModels(recognition: TranscriptionModels): OpenAiModel[] {
    if (recognitionGap(recognition) !== undefined) return [];
    const meaning = this.options.defaultTranscriptionModel || recognition.defaultModel || null;
    const model = this.model({ kind: "stt", engine: "faster-whisper", owned_by: "openai" });
    const installed = recognition.models.filter((whisper) => whisper.installed).map((whisper) => whisper.name);
    return [...OPENAI_STT_MODELS.map((id) => model(id, meaning)), ...installed.map((id) => model(id, null))];
  }

  private model(shared: Pick<OpenAiModel, "kind" | "engine" | "owned_by">) {
    return (id: string, aliasOf: string | null): OpenAiModel => ({
      id,
      object: "model",
      created: this.options.createdAt,
      owned_by: shared.owned_by,
      kind: shared.kind,
      engine: shared.engine,
      alias_of: aliasOf,
    });
  }
}
