import { expect } from "chai";
import { ModelNotFoundError, ModelNotReadyError } from "../../../../src/domain/errors.js";
import type { ModelInfo, TranscriptionModels } from "../../../../src/domain/inference.js";
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
    warnings: [],
  };
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
    private readonly model: ModelInfo | Error,
    private readonly stt: TranscriptionModels,
  ) {}
  async modelInfo(): Promise<ModelInfo> {
    if (this.model instanceof Error) throw this.model;
    return this.model;
  }
  async transcriptionModels(): Promise<TranscriptionModels> {
    return this.stt;
  }
}

const catalog = (backend: FakeModels, defaultTranscriptionModel = "") =>
  new ModelCatalog({ backend, defaultTranscriptionModel, createdAt: CREATED });
const ids = (models: OpenAiModel[]) => models.map((model) => model.id);

describe("services/openai/model-catalog", () => {
  it("names the loaded engine by engine and variant", () => {
    expect(speechModelId(info("chatterbox", "english"))).to.equal("chatterbox");
    expect(speechModelId(info("chatterbox", undefined))).to.equal("chatterbox");
    expect(speechModelId(info("chatterbox", "multilingual"))).to.equal("chatterbox-multilingual");
    expect(speechModelId(info("chatterbox", "turbo"))).to.equal("chatterbox-turbo");
    expect(speechModelId(info("espeak"))).to.equal("espeak");
  });

  it("lets OpenAI's speech names and the engine's own id speak with the loaded engine", () => {
    const turbo = info("chatterbox", "turbo");
    for (const name of ["tts-1", "tts-1-hd", "gpt-4o-mini-tts", "gpt-4o-mini-tts-2025-12-15", "chatterbox-turbo"]) {
      expect(resolveSpeechModel(name, turbo)).to.deep.equal({
        requested: name,
        model: "chatterbox-turbo",
        engine: "chatterbox",
      });
    }
  });

  it("refuses other models with a 404 on param `model` listing what is accepted", () => {
    const attempt = (model: string) => {
      try {
        resolveSpeechModel(model, info("espeak"));
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
    expect(attempt("chatterbox").body.error.message).to.include("(it runs espeak, not chatterbox)");
  });

  it("lists the speech models, then the transcription models when recognition is available", async () => {
    const stt = recognition(true, [
      { name: "base", installed: true },
      { name: "large-v3", installed: false },
    ]);
    const models = await catalog(new FakeModels(info("chatterbox", "multilingual"), stt), "small").list();
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
      expect(ids(await catalog(new FakeModels(info("espeak"), stt)).list())).to.have.length(5);
    }
    const fallback = await catalog(
      new FakeModels(info("espeak"), recognition(true, [{ name: "tiny", installed: true }])),
    );
    expect((await fallback.get("whisper-1")).alias_of).to.equal("tiny");
    expect((await fallback.get("espeak")).owned_by).to.equal("espeak-ng");
  });

  it("finds one model by id or answers model_not_found, and passes on a backend that is not ready", async () => {
    const models = catalog(new FakeModels(info("espeak"), recognition(false, [])));
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
    await loading.checkSpeechModel("tts-1").then(
      () => expect.fail("expected a refusal"),
      (error: unknown) => expect(error).to.be.instanceOf(ModelNotReadyError),
    );
    expect(await models.checkSpeechModel("tts-1-hd")).to.deep.equal({
      requested: "tts-1-hd",
      model: "espeak",
      engine: "espeak",
    });
  });
});
