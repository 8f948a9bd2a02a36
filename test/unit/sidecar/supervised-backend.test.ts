/**
 * SupervisedBackend while no sidecar is ready: every call fails with ModelNotReadyError as a rejection, never
 * as a synchronous throw, so a caller that starts several calls at once (Promise.all) sees one ordinary 503
 * and no other rejection goes unhandled (which would end the process).
 */
import { expect } from "chai";
import { ModelNotReadyError } from "../../../src/domain/errors.js";
import { SupervisedBackend } from "../../../src/sidecar/supervised-backend.js";

const notReady = () => {
  throw new ModelNotReadyError("The inference engine is loading its model.", 5);
};

describe("SupervisedBackend without a ready sidecar", () => {
  const backend = new SupervisedBackend({ client: notReady, engines: notReady });
  const pcm = { sampleRate: 24_000, samples: new Float32Array(1) };
  const calls: Record<string, () => Promise<unknown>> = {
    engines: () => backend.engines(),
    status: () => backend.status(),
    transcriptionModels: () => backend.transcriptionModels(),
    convert: () => backend.convert({ source: { pcm } }),
    timeStretch: () => backend.timeStretch({ audio: pcm, speed: 2, library: "auto" }),
    transcribe: () => backend.transcribe({ audio: { pcm } }),
    synthesizeStream: () => backend.synthesizeStream({ segments: [{ text: "a" }], params: {} }).next(),
    transcribeStream: () => backend.transcribeStream({ audio: { pcm } }).next(),
  };
  for (const [name, call] of Object.entries(calls)) {
    it(`${name} rejects with ModelNotReadyError instead of throwing`, async () => {
      let promise: Promise<unknown> | undefined;
      expect(() => (promise = call())).to.not.throw();
      const error = await promise!.then(
        () => undefined,
        (reason: unknown) => reason,
      );
      expect(error).to.be.instanceOf(ModelNotReadyError);
    });
  }

  it("lets Promise.all over several calls reject once, with no unhandled rejection left", async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on("unhandledRejection", onUnhandled);
    try {
      const error = await Promise.all([backend.engines(), backend.transcriptionModels()]).catch((e: unknown) => e);
      expect(error).to.be.instanceOf(ModelNotReadyError);
      // Unhandled rejections are reported after the microtask queue drains: give it one macrotask turn.
      await new Promise((resolve) => setImmediate(resolve));
      expect(unhandled).to.deep.equal([]);
    } finally {
      process.off("unhandledRejection", onUnhandled);
    }
  });
});
