/**
 * The models of the OpenAI-compatible API: what GET /v1/models lists and which engine speaks for the `model`
 * of /v1/audio/speech. Each loaded engine is a model under its own id; OpenAI's speech names mean the engine
 * config `openai.model_engines` gives them (the default engine when that one is not loaded). Transcription
 * models are listed only while speech recognition can serve them.
 *
 * `created` (OpenAI: when the model was made) is the time this server process started serving its models:
 * the age of checkpoint files says nothing a client can use, and a stable, never-future time keeps clients
 * that sort or cache by it sane. `owned_by` names who made the model (resemble-ai for Chatterbox, espeak-ng
 * for eSpeak NG, openai for Whisper); OpenAI's speech names are owned by the maker of the engine answering them.
 */
import { findEngine, notLoadedMessage } from "../../domain/engine-selection.js";
import { ModelNotFoundError } from "../../domain/errors.js";
import type {
  ChatterboxVariantName,
  EngineName,
  InferenceBackend,
  LoadedEngines,
  ModelInfo,
  TranscriptionModels,
} from "../../domain/inference.js";
import { OPENAI_SPEECH_MODELS, type ModelEngine, type OpenAiSpeechModel } from "../../domain/openai-models.js";
import { recognitionGap } from "../stt/recognition-gap.js";
import { OPENAI_STT_MODELS } from "../stt/transcription-service.js";

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
  /** The speaking engine's own model id, e.g. "chatterbox-turbo". */
  model: string;
  engine: EngineName;
  /** Set when the engine mapped to an OpenAI name is not loaded and the default engine speaks instead. */
  warning?: string;
}

/** An engine's own model id: chatterbox, chatterbox-multilingual, chatterbox-turbo, piper or espeak. */
export function speechModelId(info: Pick<ModelInfo, "engine" | "variant">): string {
  if (info.engine !== "chatterbox") return info.engine;
  return info.variant === undefined || info.variant === "english" ? "chatterbox" : `chatterbox-${info.variant}`;
}

/** Ids of engines this server can run, loaded or not (to say "not loaded" rather than "unknown"). */
const ENGINE_MODEL_IDS: ReadonlyMap<string, EngineName> = new Map([
  ["piper", "piper"],
  ["espeak", "espeak"],
  ...VARIANTS.map((variant): [string, EngineName] => [speechModelId({ engine: "chatterbox", variant }), "chatterbox"]),
]);

function isOpenAiName(model: string): model is OpenAiSpeechModel {
  return (OPENAI_SPEECH_MODELS as readonly string[]).includes(model);
}

/**
 * The engine that speaks for `model`: a loaded engine's own id names it; OpenAI's names go through config
 * `openai.model_engines`, falling back to the default engine (with a warning) when theirs is not loaded.
 * @throws ModelNotFoundError (404, param "model") naming the accepted ids
 */
export function resolveSpeechModel(
  model: string,
  engines: LoadedEngines,
  modelEngines: Readonly<Record<OpenAiSpeechModel, ModelEngine>>,
): SpeechModelChoice {
  const own = engines.loaded.find((info) => speechModelId(info) === model);
  if (own) return { requested: model, model, engine: own.engine };
  if (isOpenAiName(model)) return openAiChoice(model, engines, modelEngines[model]);
  const accepted = [...OPENAI_SPEECH_MODELS, ...engines.loaded.map(speechModelId)];
  const message =
    `Model '${model}' is not a speech model of this server${whyNot(model, engines)}; ` +
    `use one of ${accepted.join(", ")}`;
  throw new ModelNotFoundError(message, [{ loc: ["body", "model"], msg: message, type: "not_found" }]);
}

/** For an engine's id that is not loaded: why, in parentheses ("" for names that are no engine's). */
function whyNot(model: string, engines: LoadedEngines): string {
  const engine = ENGINE_MODEL_IDS.get(model);
  if (engine === undefined) return "";
  const otherVariant = engines.loaded.find((info) => info.engine === engine);
  if (otherVariant) return ` (it runs ${speechModelId(otherVariant)}, not ${model})`;
  return ` (${notLoadedMessage(engines, engine)})`;
}

function openAiChoice(model: OpenAiSpeechModel, engines: LoadedEngines, mapped: ModelEngine): SpeechModelChoice {
  const found = mapped === "default" ? engines.default : findEngine(engines, mapped);
  const info = found ?? engines.default;
  const choice = { requested: model, model: speechModelId(info), engine: info.engine };
  if (found || mapped === "default") return choice;
  const warning =
    `model ${model} maps to ${mapped} (config openai.model_engines), but ${notLoadedMessage(engines, mapped)}; ` +
    `the default engine ${info.engine} spoke instead`;
  return { ...choice, warning };
}

const OWNER_BY_ENGINE: Readonly<Record<EngineName, string>> = {
  chatterbox: "resemble-ai",
  piper: "rhasspy",
  espeak: "espeak-ng",
};

export interface ModelCatalogOptions {
  backend: Pick<InferenceBackend, "engines" | "transcriptionModels">;
  /** Config `openai.model_engines`: the engine each OpenAI speech name means. */
  modelEngines: Readonly<Record<OpenAiSpeechModel, ModelEngine>>;
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
    const [engines, recognition] = await Promise.all([backend.engines(), backend.transcriptionModels()]);
    return [...this.speechModels(engines), ...this.transcriptionModels(recognition)];
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
  async speechModel(model: string): Promise<SpeechModelChoice> {
    return resolveSpeechModel(model, await this.options.backend.engines(), this.options.modelEngines);
  }

  /** OpenAI's names as the engine answering each now, then each loaded engine's own id. */
  private speechModels(engines: LoadedEngines): OpenAiModel[] {
    const byEngine = new Map(engines.loaded.map((info) => [info.engine, info]));
    const openAi = OPENAI_SPEECH_MODELS.map((id) => {
      const choice = resolveSpeechModel(id, engines, this.options.modelEngines);
      return this.describe(id, byEngine.get(choice.engine) ?? engines.default, choice.model);
    });
    return [...openAi, ...engines.loaded.map((info) => this.describe(speechModelId(info), info, null))];
  }

  private describe(id: string, info: ModelInfo, aliasOf: string | null): OpenAiModel {
    const model = this.model({ kind: "tts", engine: info.engine, owned_by: OWNER_BY_ENGINE[info.engine] })(id, aliasOf);
    return info.voiceName === "" ? model : { ...model, voice: { name: info.voiceName, licence: info.voiceLicence } };
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
