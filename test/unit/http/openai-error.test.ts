import { expect } from "chai";
import {
  InferenceFailedError,
  ModelNotReadyError,
  NotFoundError,
  OverloadedError,
  ServerMisconfiguredError,
  SpeechRecognitionUnavailableError,
  ValidationError,
} from "../../../src/domain/errors.js";
import { toErrorResponse } from "../../../src/http/error-table.js";
import { isOpenAiPath, toOpenAiError } from "../../../src/http/openai/openai-error.js";

const openAi = (error: unknown) => toOpenAiError(toErrorResponse(error));

describe("http/openai/openai-error", () => {
  it("answers invalid values with 400, naming the field as `param`, and tells SDKs not to retry", () => {
    const error = new ValidationError("model: is required", [
      { loc: ["body", "model"], msg: "is required", type: "missing" },
    ]);
    expect(openAi(error)).to.deep.equal({
      status: 400,
      body: {
        error: {
          message: "model: is required",
          type: "invalid_request_error",
          param: "model",
          code: "validation_error",
        },
      },
      headers: { "x-should-retry": "false" },
    });
  });

  it("keeps statuses and Retry-After, and lets SDKs retry what may work later", () => {
    const busy = openAi(new OverloadedError("busy", 2));
    expect(busy.status).to.equal(429);
    expect(busy.body.error).to.include({ type: "rate_limit_error", code: "overloaded", param: null });
    expect(busy.headers).to.deep.equal({ "Retry-After": "2" });
    const loading = openAi(new ModelNotReadyError("loading", 5));
    expect([loading.status, loading.body.error.type, loading.headers["x-should-retry"]]).to.deep.equal([
      503,
      "server_error",
      undefined,
    ]);
  });

  it("marks what retrying cannot fix: unknown things and a server without speech recognition", () => {
    expect(openAi(new NotFoundError("no model")).headers).to.deep.equal({ "x-should-retry": "false" });
    const unavailable = openAi(new SpeechRecognitionUnavailableError("no whisper"));
    expect(unavailable.status).to.equal(501);
    expect(unavailable.body.error).to.include({ type: "invalid_request_error", code: "stt_unavailable" });
    expect(unavailable.headers["x-should-retry"]).to.equal("false");
    const misconfigured = openAi(new ServerMisconfiguredError("openai.voice_aliases.alloy names a missing voice"));
    expect(misconfigured.status).to.equal(500);
    expect(misconfigured.body.error).to.include({ type: "server_error", code: "server_misconfigured" });
    expect(misconfigured.headers["x-should-retry"]).to.equal("false");
    expect(openAi(new InferenceFailedError("failed")).headers["x-should-retry"]).to.equal(undefined);
  });

  it("hides unexpected errors behind a generic message", () => {
    const hidden = openAi(new Error("/srv/secret/path exploded"));
    expect(hidden.status).to.equal(500);
    expect(hidden.body.error).to.deep.equal({
      message: "Internal server error",
      type: "server_error",
      param: null,
      code: "internal_error",
    });
  });

  it("applies to /v1 and below only", () => {
    expect([
      isOpenAiPath("/v1"),
      isOpenAiPath("/v1/audio/speech"),
      isOpenAiPath("/v10"),
      isOpenAiPath("/api/v1/tts"),
    ]).to.deep.equal([true, true, false, false]);
  });
});
