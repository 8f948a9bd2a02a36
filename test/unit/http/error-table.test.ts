import { expect } from "chai";
import { AudioToolError } from "../../../src/audio/audio-errors.js";
import {
  AuthenticationError,
  BadRequestError,
  ClientGoneError,
  ConflictError,
  IndexBuildingError,
  InferenceFailedError,
  InferenceTimeoutError,
  MethodNotAllowedError,
  ModelNotReadyError,
  NotFoundError,
  NotImplementedError,
  OverloadedError,
  PayloadTooLargeError,
  PermissionDeniedError,
  QuotaExceededError,
  RateLimitedError,
  ServerMisconfiguredError,
  ShuttingDownError,
  SpeechRecognitionUnavailableError,
  UnsupportedMediaTypeError,
  UpstreamError,
  UpstreamTimeoutError,
  ValidationError,
  type DomainError,
} from "../../../src/domain/errors.js";
import { HTTP_STATUS_BY_ERROR, toErrorResponse, UpgradeRequiredError } from "../../../src/http/error-table.js";

describe("http/error-table", () => {
  const examples: Array<[DomainError, number, string]> = [
    [
      new ValidationError("bad field", [{ loc: ["body", "x"], msg: "bad", type: "value_error" }]),
      422,
      "VALIDATION_ERROR",
    ],
    [new BadRequestError("bad path", "INVALID_PATH"), 400, "INVALID_PATH"],
    [new AuthenticationError("no key"), 401, "INVALID_API_KEY"],
    [new PermissionDeniedError("no scope"), 403, "PERMISSION_DENIED"],
    [new NotFoundError("no voice"), 404, "RESOURCE_NOT_FOUND"],
    [new MethodNotAllowedError("not here", ["POST"]), 405, "METHOD_NOT_ALLOWED"],
    [new ConflictError("taken"), 409, "CONFLICT"],
    [new PayloadTooLargeError("big"), 413, "PAYLOAD_TOO_LARGE"],
    [new UnsupportedMediaTypeError("json only"), 415, "UNSUPPORTED_MEDIA_TYPE"],
    [new UpgradeRequiredError("use a WebSocket"), 426, "UPGRADE_REQUIRED"],
    [new OverloadedError("queue full", 2), 429, "OVERLOADED"],
    [new RateLimitedError("too many", 20), 429, "RATE_LIMITED"],
    [new QuotaExceededError("used up", 3600), 429, "QUOTA_EXCEEDED"],
    [new ClientGoneError("gone"), 499, "CLIENT_CLOSED_REQUEST"],
    [new InferenceFailedError("failed"), 500, "INFERENCE_FAILED"],
    [new ServerMisconfiguredError("alias points nowhere"), 500, "SERVER_MISCONFIGURED"],
    [new NotImplementedError("no such method", ["GET"]), 501, "NOT_IMPLEMENTED"],
    [new SpeechRecognitionUnavailableError("no whisper"), 501, "STT_UNAVAILABLE"],
    [new UpstreamError("refused", "URL_SOURCE_UNREACHABLE"), 502, "URL_SOURCE_UNREACHABLE"],
    [new ModelNotReadyError("starting", 5), 503, "MODEL_NOT_READY"],
    [new ShuttingDownError("stopping", 5), 503, "SHUTTING_DOWN"],
    [new IndexBuildingError("indexing", 5), 503, "INDEX_BUILDING"],
    [new InferenceTimeoutError("slow"), 504, "INFERENCE_TIMEOUT"],
    [new UpstreamTimeoutError("slow download"), 504, "URL_SOURCE_TIMEOUT"],
  ];

  it("has an example for every row, and each maps to its status, code and message", () => {
    expect(examples.map(([, status]) => status)).to.deep.equal(HTTP_STATUS_BY_ERROR.map(([, status]) => status));
    for (const [error, status, code] of examples) {
      const response = toErrorResponse(error);
      expect(response.status, code).to.equal(status);
      expect(response.body).to.deep.equal({
        success: false,
        error: error.message,
        error_code: code,
        detail: error.detail ?? null,
      });
      expect(response.unexpected).to.equal(false);
    }
  });

  it("adds the headers an error implies: Retry-After to come back later, Allow for a wrong method", () => {
    expect(toErrorResponse(new OverloadedError("queue full", 2)).headers).to.deep.equal({ "Retry-After": "2" });
    expect(toErrorResponse(new ModelNotReadyError("starting", 5)).headers).to.deep.equal({ "Retry-After": "5" });
    expect(toErrorResponse(new MethodNotAllowedError("no", ["HEAD", "GET"])).headers).to.deep.equal({
      Allow: "HEAD, GET",
    });
    expect(toErrorResponse(new NotFoundError("x")).headers).to.deep.equal({});
  });

  it("hides unknown errors and audio-tool failures behind a generic 500", () => {
    const unknown = toErrorResponse(new TypeError("secret internals at /srv/app.js"));
    expect(unknown).to.deep.include({ status: 500, unexpected: true });
    expect(unknown.body).to.deep.equal({
      success: false,
      error: "Internal server error",
      error_code: "INTERNAL_ERROR",
      detail: null,
    });
    const tool = toErrorResponse(
      new AudioToolError("ffmpeg failed on /tmp/x/speech.wav", "AUDIO_TOOL_FAILED", "stderr"),
    );
    expect(tool.status).to.equal(500);
    expect(JSON.stringify(tool.body)).not.to.include("/tmp/x");
  });

  it("keeps the status and headers of client errors raised by Koa middleware", () => {
    const headers = { Allow: "GET" };
    const methodNotAllowed = Object.assign(new Error("Method Not Allowed"), { status: 405, expose: true, headers });
    expect(toErrorResponse(methodNotAllowed)).to.deep.include({ status: 405, headers });
    expect(toErrorResponse(methodNotAllowed).body.error_code).to.equal("METHOD_NOT_ALLOWED");
  });
});
