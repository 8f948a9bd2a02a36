import { expect } from "chai";
import { ModelNotFoundError, ModelNotReadyError } from "../../../../src/domain/errors.js";
import type { LoadedEngines, ModelInfo, TranscriptionModels } from "../../../../src/domain/inference.js";
import { DEFAULT_MODEL_ENGINES } from "../../../../src/domain/openai-models.js";
import { toErrorResponse } from "../../../../src/http/error-table.js";
import { toOpenAiError } from "../../../../src/http/openai/openai-error.js";
import {
  ModelCatalog,
  resolveSpeechModel,
  speechModelId,
  type OpenAiModel,
} from "../../../../src/services/openai/model-catalog.js";

const CREATED = 1_750_000_000;

function info(engine: ModelInfo["engine"], variant?: ModelInfo["variant"]): ModelInfo {
  return {
    engine,
    variant,
    device: "cpu",
    sampleRate: 24000,
    maxSegmentChars: 300,
    languages: ["en"],
    voiceConversion: true,
    watermarked: false,
    engineVersion: "1",
    stretchLibraries: ["sox"],
    voiceMethod: "",
    voiceName: "",
    voiceLicence: "",
    memoryMb: 0,
    warnings: [],
  };
}

/** `infos` loaded, the first the default. */
function loaded(infos: ModelInfo[], unavailable: LoadedEngines["unavailable"] = []): LoadedEngines {
  return { default: infos[0]!, loaded: infos, unavailable };
}

function recognition(available: boolean, models: Array<{ name: string; installed: boolean }>): TranscriptionModels {
  return {
    available,
    engineVersion: "1",
    models: models.map((m) => ({ ...m, multilingual: true, loaded: false, sizeBytes: 1 })),
    defaultModel: models.find((m) => m.installed)?.name ?? "",
    memoryBudgetMb: 100,
  };
}

/** The two questions the catalog asks a backend, answered from fixed values (or a failure). */
class FakeModels {
  constructor(
    private readonly model: LoadedEngines | Error,
    private readonly stt: TranscriptionModels,
  ) {}
  async engines(): Promise<LoadedEngines> {
    if (this.model instanceof Error) throw this.model;
    return this.model;
  }
  async transcriptionModels(): Promise<TranscriptionModels> {
    return this.stt;
  }
}

const catalog = (backend: FakeModels, defaultTranscriptionModel = "") =>
  new ModelCatalog({ backend, modelEngines: DEFAULT_MODEL_ENGINES, defaultTranscriptionModel, createdAt: CREATED });
const ids = (models: OpenAiModel[]) => models.map((model) => model.id);

describe("services/openai/model-catalog", () => {
  it("names the loaded engine by engine and variant", () => {
    expect(speechModelId(info("chatterbox", "english"))).to.equal("chatterbox");
    expect(speechModelId(info("chatterbox", undefined))).to.equal("chatterbox");
    expect(speechModelId(info("chatterbox", "multilingual"))).to.equal("chatterbox-multilingual");
    expect(speechModelId(info("chatterbox", "turbo"))).to.equal("chatterbox-turbo");
    expect(speechModelId(info("espeak"))).to.equal("espeak");
  });

  it("lets each loaded engine's own id speak with it, and OpenAI's names with the engine config maps them to", () => {
    const engines = loaded([info("chatterbox", "turbo"), info("piper"), info("espeak")]);
    const resolve = (model: string) => resolveSpeechModel(model, engines, DEFAULT_MODEL_ENGINES);
    for (const name of ["tts-1-hd", "gpt-4o-mini-tts", "gpt-4o-mini-tts-2025-12-15", "chatterbox-turbo"]) {
      expect(resolve(name)).to.deep.equal({ requested: name, model: "chatterbox-turbo", engine: "chatterbox" });
    }
    expect(resolve("tts-1")).to.deep.equal({ requested: "tts-1", model: "piper", engine: "piper" });
    expect(resolve("espeak")).to.deep.equal({ requested: "espeak", model: "espeak", engine: "espeak" });
    const custom = resolveSpeechModel("tts-1", engines, { ...DEFAULT_MODEL_ENGINES, "tts-1": "default" });
    expect(custom.engine).to.equal("chatterbox");
  });

  it("lets an OpenAI name whose engine is not loaded speak with the default engine, and says so", () => {
    const engines = loaded([info("piper"), info("espeak")], [{ engine: "chatterbox", reason: "no weights" }]);
    expect(resolveSpeechModel("tts-1-hd", engines, DEFAULT_MODEL_ENGINES)).to.deep.equal({
      requested: "tts-1-hd",
      model: "piper",
      engine: "piper",
      warning:
        "model tts-1-hd maps to chatterbox (config openai.model_engines), but engine chatterbox is not loaded " +
        "(no weights); loaded: piper, espeak; the default engine piper spoke instead",
    });
  });

  it("refuses other models with a 404 on param `model` listing what is accepted", () => {
    const attempt = (model: string) => {
      try {
        resolveSpeechModel(model, loaded([info("espeak")]), DEFAULT_MODEL_ENGINES);
      } catch (error) {
        expect(error).to.be.instanceOf(ModelNotFoundError);
        return toOpenAiError(toErrorResponse(error));
      }
      throw new Error("expected a refusal");
    };
    expect(attempt("whisper-1").body.error).to.deep.equal({
      message:
        "Model 'whisper-1' is not a speech model of this server; " +
        "use one of tts-1, tts-1-hd, gpt-4o-mini-tts, gpt-4o-mini-tts-2025-12-15, espeak",
      type: "invalid_request_error",
      param: "model",
      code: "model_not_found",
    });
    expect(attempt("whisper-1").status).to.equal(404);
    expect(attempt("chatterbox").body.error.message).to.include(
      "(engine chatterbox is not loaded (it is not listed in config inference.engines); loaded: espeak)",
    );
    const turbo = loaded([info("chatterbox", "turbo")]);
    const english = () => resolveSpeechModel("chatterbox", turbo, DEFAULT_MODEL_ENGINES);
    expect(english).to.throw(ModelNotFoundError, "(it runs chatterbox-turbo, not chatterbox)");
  });

  it("lists the speech models, then the transcription models when recognition is available", async () => {
    const stt = recognition(true, [
      { name: "base", installed: true },
      { name: "large-v3", installed: false },
    ]);
    const models = await catalog(new FakeModels(loaded([info("chatterbox", "multilingual")]), stt), "small").list();
    expect(ids(models)).to.deep.equal([
      "tts-1",
      "tts-1-hd",
      "gpt-4o-mini-tts",
      "gpt-4o-mini-tts-2025-12-15",
      "chatterbox-multilingual",
      "whisper-1",
      "gpt-4o-transcribe",
      "gpt-4o-mini-transcribe",
      "base",
    ]);
    expect(models[0]).to.deep.equal({
      id: "tts-1",
      object: "model",
      created: CREATED,
      owned_by: "resemble-ai",
      kind: "tts",
      engine: "chatterbox",
      alias_of: "chatterbox-multilingual",
    });
    expect(models.find((m) => m.id === "chatterbox-multilingual")?.alias_of).to.equal(null);
    // whisper-1 means the configured default model; installed models stand for themselves.
    expect(models.find((m) => m.id === "whisper-1")).to.include({ owned_by: "openai", kind: "stt", alias_of: "small" });
    expect(models.find((m) => m.id === "base")).to.include({ engine: "faster-whisper", alias_of: null });
  });

  it("leaves transcription models out while speech recognition cannot serve", async () => {
    for (const stt of [recognition(false, []), recognition(true, [])]) {
      expect(ids(await catalog(new FakeModels(loaded([info("espeak")]), stt)).list())).to.have.length(5);
    }
    const fallback = await catalog(
      new FakeModels(loaded([info("espeak")]), recognition(true, [{ name: "tiny", installed: true }])),
    );
    expect((await fallback.get("whisper-1")).alias_of).to.equal("tiny");
    expect((await fallback.get("espeak")).owned_by).to.equal("espeak-ng");
  });

  it("finds one model by id or answers model_not_found, and passes on a backend that is not ready", async () => {
    const models = catalog(new FakeModels(loaded([info("espeak")]), recognition(false, [])));
    await models.get("nope").then(
      () => expect.fail("expected a refusal"),
      (error: unknown) => {
        expect(error).to.be.instanceOf(ModelNotFoundError);
        expect((error as Error).message).to.equal(
          "Model 'nope' does not exist on this server; GET /v1/models lists the 5 it serves",
        );
      },
    );
    const loading = catalog(new FakeModels(new ModelNotReadyError("loading", 5), recognition(false, [])));
    await loading.speechModel("tts-1").then(
      () => expect.fail("expected a refusal"),
      (error: unknown) => expect(error).to.be.instanceOf(ModelNotReadyError),
    );
    expect(await models.speechModel("espeak")).to.deep.equal({
      requested: "espeak",
      model: "espeak",
      engine: "espeak",
    });
  });

  it("lists OpenAI's names under the engine answering each now, then every loaded engine by its own id", async () => {
    const piper = { ...info("piper"), voiceName: "en_US-joe-medium", voiceLicence: "research only" };
    const models = await catalog(new FakeModels(loaded([piper, info("espeak")]), recognition(false, []))).list();
    const view = models.map(({ id, engine, alias_of, owned_by }) => ({ id, engine, alias_of, owned_by }));
    expect(view).to.deep.equal([
      { id: "tts-1", engine: "piper", alias_of: "piper", owned_by: "rhasspy" },
      // Mapped to chatterbox, which is not loaded: the default engine answers.
      { id: "tts-1-hd", engine: "piper", alias_of: "piper", owned_by: "rhasspy" },
      { id: "gpt-4o-mini-tts", engine: "piper", alias_of: "piper", owned_by: "rhasspy" },
      { id: "gpt-4o-mini-tts-2025-12-15", engine: "piper", alias_of: "piper", owned_by: "rhasspy" },
      { id: "piper", engine: "piper", alias_of: null, owned_by: "rhasspy" },
      { id: "espeak", engine: "espeak", alias_of: null, owned_by: "espeak-ng" },
    ]);
    expect(models[0]?.voice).to.deep.equal({ name: "en_US-joe-medium", licence: "research only" });
    expect(models.at(-1)).to.not.have.property("voice");
  });
});
