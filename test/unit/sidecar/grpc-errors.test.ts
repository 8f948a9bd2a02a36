import { expect } from "chai";
import { Metadata, status as Status } from "@grpc/grpc-js";
import {
  ClientGoneError,
  type DomainError,
  InferenceFailedError,
  InferenceTimeoutError,
  ModelNotReadyError,
  NotFoundError,
  OverloadedError,
  PayloadTooLargeError,
  RetryableError,
  ValidationError,
} from "../../../src/domain/errors.js";
import { ErrorInfo } from "../../../src/sidecar/generated/google/rpc/error_details.js";
import { Status as RpcStatus } from "../../../src/sidecar/generated/google/rpc/status.js";
import {
  GENERIC_FAILURE_MESSAGE,
  GRPC_ERROR_TABLE,
  sidecarDetails,
  sidecarReason,
  toDomainError,
} from "../../../src/sidecar/grpc-errors.js";

/** design.md §4, restated independently of the implementation. */
const EXPECTED: ReadonlyArray<[Status, new (...args: never[]) => DomainError]> = [
  [Status.INVALID_ARGUMENT, ValidationError],
  [Status.NOT_FOUND, NotFoundError],
  [Status.UNAVAILABLE, ModelNotReadyError],
  [Status.FAILED_PRECONDITION, ModelNotReadyError],
  [Status.RESOURCE_EXHAUSTED, OverloadedError],
  [Status.OUT_OF_RANGE, PayloadTooLargeError],
  [Status.DEADLINE_EXCEEDED, InferenceTimeoutError],
  [Status.CANCELLED, ClientGoneError],
];

const grpcError = (code: Status, details: string) => Object.assign(new Error(`${code} ${details}`), { code, details });

describe("sidecar/grpc-errors", () => {
  it("has exactly the rows of the design table", () => {
    expect(GRPC_ERROR_TABLE.map((row) => row.status)).to.have.members(EXPECTED.map(([status]) => status));
  });

  for (const [status, type] of EXPECTED) {
    it(`maps ${Status[status]} to ${type.name}, keeping the original as cause`, () => {
      const original = grpcError(status, "sidecar says so");
      const mapped = toDomainError(original);
      expect(mapped).to.be.instanceOf(type);
      expect(mapped.cause).to.equal(original);
      expect(sidecarDetails(mapped)).to.equal("sidecar says so");
      if (mapped instanceof RetryableError) expect(mapped.retryAfterSeconds).to.be.greaterThan(0);
    });
  }

  it("shows the sidecar's text only where it tells the client what to fix", () => {
    expect(toDomainError(grpcError(Status.INVALID_ARGUMENT, "text is empty")).message).to.equal("text is empty");
    expect(toDomainError(grpcError(Status.NOT_FOUND, "no voice a.wav")).message).to.equal("no voice a.wav");
    const unavailable = toDomainError(grpcError(Status.UNAVAILABLE, "connect ECONNREFUSED 127.0.0.1:4242"));
    expect(unavailable.message).to.not.include("4242");
    expect(toDomainError(grpcError(Status.INVALID_ARGUMENT, "")).message).to.not.equal("");
  });

  const unlisted = Object.values(Status).filter(
    (v): v is Status => typeof v === "number" && v !== Status.OK && !EXPECTED.some(([s]) => s === v),
  );
  for (const status of unlisted) {
    it(`maps ${Status[status]} to InferenceFailedError with the generic message`, () => {
      const mapped = toDomainError(grpcError(status, "Traceback at /srv/secret.py line 3"));
      expect(mapped).to.be.instanceOf(InferenceFailedError);
      expect(mapped.message).to.equal(GENERIC_FAILURE_MESSAGE);
      expect(sidecarDetails(mapped)).to.include("/srv/secret.py");
    });
  }

  /** A failed call as grpc-js reports it, with the sidecar's ErrorInfo in the status details trailer. */
  function withReason(code: Status, details: string, reason: string) {
    const value = Buffer.from(ErrorInfo.encode({ reason, domain: "chatterbox.v1", metadata: {} }).finish());
    const info = { typeUrl: "type.googleapis.com/google.rpc.ErrorInfo", value };
    const trailers = new Metadata();
    trailers.set("grpc-status-details-bin", Buffer.from(RpcStatus.encode({ code, message: details, details: [info] }).finish()));
    return Object.assign(grpcError(code, details), { metadata: trailers });
  }

  it("blames the server, not the client, when the sidecar refuses segments the server built", () => {
    const tooLong = withReason(Status.INVALID_ARGUMENT, "input.segments[0].text has 450 characters", "SEGMENT_TOO_LONG");
    const mapped = toDomainError(tooLong);
    expect(mapped).to.be.instanceOf(InferenceFailedError);
    expect(mapped.message).to.equal(GENERIC_FAILURE_MESSAGE);
    expect(sidecarReason(mapped)).to.equal("SEGMENT_TOO_LONG");
    const language = toDomainError(withReason(Status.INVALID_ARGUMENT, "language 'xx' is not supported", "UNSUPPORTED_LANGUAGE"));
    expect(language).to.be.instanceOf(ValidationError);
    expect(language.message).to.equal("language 'xx' is not supported");
  });

  it("passes a DomainError through unchanged, so mapping never happens twice", () => {
    const error = new ValidationError("already mapped");
    expect(toDomainError(error)).to.equal(error);
  });

  it("maps errors without a gRPC status to the generic InferenceFailedError", () => {
    const nodeError = Object.assign(new Error("boom"), { code: "ECONNRESET" });
    const mapped = toDomainError(nodeError);
    expect(mapped).to.be.instanceOf(InferenceFailedError);
    expect(mapped.message).to.equal(GENERIC_FAILURE_MESSAGE);
    expect(mapped.cause).to.equal(nodeError);
    expect(toDomainError("a string")).to.be.instanceOf(InferenceFailedError);
  });
});
