/**
 * SupervisedBackend while no sidecar is ready: every call fails with ModelNotReadyError as a rejection, never
 * as a synchronous throw, so a caller that starts several calls at once (Promise.all) sees one ordinary 503
 * and no other rejection goes unhandled (which would end the process).
 */
import { expect } from "chai";
import { ModelNotReadyError } from "../../../src/domain/errors.js";
import type { SynthesisEvent } from "../../../src/domain/inference.js";
import type { SidecarClient } from "../../../src/sidecar/sidecar-client.js";
import { SidecarCrashedError, SupervisedBackend } from "../../../src/sidecar/supervised-backend.js";

const notReady = () => {
  throw new ModelNotReadyError("The inference engine is loading its model.", 5);
};

describe("SupervisedBackend without a ready sidecar", () => {
  const backend = new SupervisedBackend({ client: notReady, engines: notReady, whenRecovered: async () => notReady() });
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

describe("SupervisedBackend after a crash of the sidecar", () => {
  const crash = () => new SidecarCrashedError("The inference engine is restarting.", 5);
  const start: SynthesisEvent = { type: "start", sampleRate: 24_000, segmentCount: 1, engine: "espeak" };
  const audio: SynthesisEvent = { type: "audio", samples: new Float32Array(4), segmentIndex: 0, segmentFinal: true };
  const end: SynthesisEvent = { type: "end", stats: {} as never };

  /** A backend whose client plays `attempts` in turn, one per call; counts calls and waits for a restart. */
  function backendPlaying(attempts: Array<() => AsyncGenerator<SynthesisEvent, void>>, readyAgain = true) {
    const seen = { calls: 0, waits: 0 };
    const client = { synthesizeStream: () => attempts[seen.calls++]!() } as unknown as SidecarClient;
    const whenRecovered = async () => {
      seen.waits += 1;
      if (!readyAgain) throw new Error("timed out");
    };
    return { seen, backend: new SupervisedBackend({ client: () => client, engines: () => ({}) as never, whenRecovered }) };
  }
  const collect = async (backend: SupervisedBackend) => {
    const events: string[] = [];
    for await (const event of backend.synthesizeStream({ segments: [{ text: "a" }], params: {} })) events.push(event.type);
    return events;
  };

  it("makes a stream cut off before any audio once more when the sidecar is back, passing one start on", async () => {
    const { seen, backend } = backendPlaying([
      async function* () {
        yield start;
        throw crash();
      },
      async function* () {
        yield start;
        yield audio;
        yield end;
      },
    ]);
    expect(await collect(backend)).to.deep.equal(["start", "audio", "end"]);
    expect(seen).to.deep.equal({ calls: 2, waits: 1 });
  });

  it("does not retry a stream whose audio was already passed on, nor a second crash, nor without a restart", async () => {
    const afterAudio = backendPlaying([
      async function* () {
        yield start;
        yield audio;
        throw crash();
      },
    ]);
    const crashes = async function* (): AsyncGenerator<SynthesisEvent, void> {
      yield start;
      throw crash();
    };
    const twice = backendPlaying([crashes, crashes]);
    const notBack = backendPlaying([crashes], false);
    for (const { backend } of [afterAudio, twice, notBack]) {
      expect(await collect(backend).catch((e: unknown) => e)).to.be.instanceOf(SidecarCrashedError);
    }
    expect(afterAudio.seen).to.deep.equal({ calls: 1, waits: 0 });
    expect(twice.seen).to.deep.equal({ calls: 2, waits: 1 });
    expect(notBack.seen).to.deep.equal({ calls: 1, waits: 1 });
  });
});
