import { expect } from "chai";
import { Server, ServerCredentials, status as Status } from "@grpc/grpc-js";
import {
  ClientGoneError,
  InferenceFailedError,
  InferenceTimeoutError,
  ModelNotReadyError,
  NotFoundError,
  OverloadedError,
  ValidationError,
} from "../../../src/domain/errors.js";
import type { SynthesisEvent } from "../../../src/domain/inference.js";
import { SpeechServiceService } from "../../../src/sidecar/generated/chatterbox/v1/speech.js";
import { HealthCheckResponse_ServingStatus as Serving, HealthService } from "../../../src/sidecar/generated/health/v1/health.js";
import { GENERIC_FAILURE_MESSAGE } from "../../../src/sidecar/grpc-errors.js";
import { SidecarClient, SPEECH_SERVICE_HEALTH_NAME } from "../../../src/sidecar/sidecar-client.js";
import {
  createFakeHealthService,
  createFakeSpeechService,
  FAKE_SEGMENT_SAMPLES,
  type FakeSpeechOptions,
} from "../../fixtures/fake-speech-service.js";
import { sineSamples } from "../../fixtures/sine-wave.js";
import { caught, LogCapture, waitForEvent, within } from "./helpers.js";

const MIB = 1024 * 1024;
const input = (count = 3) => ({
  segments: Array.from({ length: count }, (_, i) => ({ text: `Sentence ${i}.` })),
  params: { temperature: 0.8 },
});

describe("SidecarClient (in-process fake gRPC server)", function () {
  this.timeout(10_000);
  const options: FakeSpeechOptions = { queueCapacity: 4 };
  const fake = createFakeSpeechService(options);
  const logs = new LogCapture();
  let server: Server;
  let client: SidecarClient;

  before(async () => {
    server = new Server({ "grpc.max_receive_message_length": 64 * MIB, "grpc.max_send_message_length": 64 * MIB });
    server.addService(SpeechServiceService, fake.service);
    server.addService(HealthService, createFakeHealthService((s) => (s === "" || s === SPEECH_SERVICE_HEALTH_NAME ? Serving.SERVING : undefined)));
    const port = await new Promise<number>((resolve, reject) =>
      server.bindAsync("127.0.0.1:0", ServerCredentials.createInsecure(), (e, p) => (e ? reject(e) : resolve(p))),
    );
    client = new SidecarClient({ address: `127.0.0.1:${port}`, logger: logs.logger });
    const load = { engine: "auto", variant: "english", device: "cpu", modelsDir: "/m", allowDownload: false } as const;
    await client.loadModel({ ...load, piperVoice: "", engines: [], memoryBudgetMb: 0 });
  });

  after(() => {
    client.close();
    server.forceShutdown();
  });

  afterEach(() => {
    options.failWith = undefined;
    options.streamBehaviour = "normal";
    options.unaryDelayMs = 0;
  });

  async function collect(iterable: AsyncIterable<SynthesisEvent>): Promise<SynthesisEvent[]> {
    const events: SynthesisEvent[] = [];
    for await (const event of iterable) events.push(event);
    return events;
  }

  it("maps the loaded engines and WorkerStatus to domain values", async () => {
    const { default: info, loaded } = await client.engines();
    expect(loaded).to.deep.equal([info]);
    expect(info).to.deep.include({ engine: "espeak", variant: undefined, sampleRate: 24_000, stretchLibraries: ["sox"] });
    expect(info.warnings).to.deep.equal(["fake: no chatterbox weights; using espeak"]);
    expect(await client.status()).to.deep.equal({ state: "ready", queueDepth: 0, queueCapacity: 4, runningRequestId: "" });
  });

  it("streams start, audio as Float32Array, and end", async () => {
    const events = await collect(client.synthesizeStream(input(), { requestId: "s1" }));
    expect(events.map((e) => e.type)).to.deep.equal(["start", "audio", "audio", "audio", "end"]);
    expect(events[0]).to.deep.equal({ type: "start", sampleRate: 24_000, segmentCount: 3, engine: "espeak" });
    const audio = events[3];
    if (audio?.type !== "audio") throw new Error("expected audio");
    expect(audio.segmentIndex).to.equal(2);
    expect(audio.segmentFinal).to.equal(true);
    const expected = sineSamples(FAKE_SEGMENT_SAMPLES, 220, 24_000, 2 * FAKE_SEGMENT_SAMPLES);
    expect(Array.from(audio.samples)).to.deep.equal(Array.from(expected));
    const end = events[4];
    if (end?.type !== "end") throw new Error("expected end");
    expect(end.stats).to.deep.include({ audioSamples: 3 * FAKE_SEGMENT_SAMPLES, stretchLibrary: undefined });
  });

  it("maps a transcript, its segments and word timestamps, and the model list", async () => {
    const audio = { fileBytes: Buffer.from("RIFF") };
    const transcript = await client.transcribe({ audio, model: "base", wordTimestamps: true });
    expect(transcript.text).to.equal("fake transcript");
    expect(transcript.info).to.deep.include({ model: "base", language: "en", durationSeconds: 1 });
    expect(transcript.segments.map((s) => [s.id, s.start, s.end, s.text])).to.deep.equal([
      [0, 0, 0.5, " fake"],
      [1, 0.5, 1, " transcript"],
    ]);
    expect(transcript.segments[1]?.words).to.deep.equal([{ start: 0.5, end: 1, word: " transcript", probability: Math.fround(0.9) }]);
    const plain = await client.transcribe({ audio });
    expect(plain.segments[0]?.words).to.deep.equal([]);
    const models = await client.transcriptionModels();
    expect(models).to.deep.include({ available: true, defaultModel: "tiny.en" });
    expect(models.models[0]).to.deep.include({ name: "tiny.en", installed: true, sizeBytes: 75_000_000 });
  });

  it("sends the request id and the W3C traceparent as call metadata", async () => {
    const traceparent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
    await collect(client.synthesizeStream(input(1), { requestId: "traced-1", traceparent }));
    expect(fake.state.lastStreamMetadata?.get("x-request-id")).to.deep.equal(["traced-1"]);
    expect(fake.state.lastStreamMetadata?.get("traceparent")).to.deep.equal([traceparent]);
    await collect(client.synthesizeStream(input(1), { requestId: "untraced-1" }));
    expect(fake.state.lastStreamMetadata?.get("traceparent")).to.deep.equal([]);
  });

  it("sends the priority as x-priority metadata, and none when it is unset", async () => {
    await collect(client.synthesizeStream(input(1), { requestId: "urgent-1", priority: "interactive" }));
    expect(fake.state.lastStreamMetadata?.get("x-priority")).to.deep.equal(["interactive"]);
    await collect(client.synthesizeStream(input(1), { requestId: "default-1" }));
    expect(fake.state.lastStreamMetadata?.get("x-priority")).to.deep.equal([]);
  });

  it("streams a transcript as start, segments in order, end", async () => {
    const events = [];
    for await (const event of client.transcribeStream({ audio: { fileBytes: Buffer.from("RIFF") } })) events.push(event);
    expect(events.map((e) => e.type)).to.deep.equal(["start", "segment", "segment", "end"]);
    const end = events[3];
    if (end?.type !== "end") throw new Error("expected end");
    expect(end.text).to.equal("fake transcript");
  });

  it("delivers every message of a long stream to a slow consumer, in order (flow control)", async () => {
    const indexes: number[] = [];
    let last = "";
    for await (const event of client.synthesizeStream(input(60), { requestId: "long" })) {
      if (event.type === "audio") indexes.push(event.segmentIndex);
      last = event.type;
      await new Promise((resolve) => setImmediate(resolve)); // slower than the server writes
    }
    expect(indexes).to.deep.equal(Array.from({ length: 60 }, (_, i) => i));
    expect(last).to.equal("end");
  });

  it("cancels the call when the consumer breaks out early", async () => {
    options.streamBehaviour = "hang-after-first-chunk";
    const cancelled = waitForEvent(fake.state.events, "cancelled", (_rpc, id) => id === "break-1");
    for await (const event of client.synthesizeStream(input(), { requestId: "break-1" })) if (event.type === "audio") break;
    await cancelled;
  });

  it("cancels the call when the AbortSignal aborts, rejecting with ClientGoneError", async () => {
    options.streamBehaviour = "hang-after-first-chunk";
    const controller = new AbortController();
    const cancelled = waitForEvent(fake.state.events, "cancelled", (_rpc, id) => id === "abort-1");
    const iterator = client.synthesizeStream(input(), { signal: controller.signal, requestId: "abort-1" })[Symbol.asyncIterator]();
    await iterator.next();
    const pending = caught(() => iterator.next().then(() => iterator.next()));
    controller.abort();
    expect(await pending).to.be.instanceOf(ClientGoneError);
    await cancelled;
  });

  it("does not call at all with an already-aborted signal", async () => {
    const before = fake.state.count("SynthesizeStream") + fake.state.count("GetStatus");
    const signal = AbortSignal.abort();
    expect(await caught(() => collect(client.synthesizeStream(input(), { signal })))).to.be.instanceOf(ClientGoneError);
    expect(await caught(() => client.status({ signal }))).to.be.instanceOf(ClientGoneError);
    expect(fake.state.count("SynthesizeStream") + fake.state.count("GetStatus")).to.equal(before);
  });

  it("applies the deadline: a slow answer becomes InferenceTimeoutError", async () => {
    options.unaryDelayMs = 300;
    expect(await caught(() => client.status({ timeoutMs: 30 }))).to.be.instanceOf(InferenceTimeoutError);
  });

  it("delivers audio that came before a failure, then a generic InferenceFailedError", async () => {
    options.streamBehaviour = "fail-after-first-chunk";
    const seen: string[] = [];
    const error = await caught(async () => {
      for await (const event of client.synthesizeStream(input(), { requestId: "fail-1" })) seen.push(event.type);
    });
    expect(seen).to.deep.equal(["start", "audio"]);
    expect(error).to.be.instanceOf(InferenceFailedError);
    expect((error as Error).message).to.equal(GENERIC_FAILURE_MESSAGE);
    const logged = await logs.waitFor((l) => l.rpc === "SynthesizeStream" && l.grpcCode === "INTERNAL");
    expect(logged.level).to.equal(40);
    expect(logged.details).to.include("/secret/path.py");
  });

  const wireCases = [
    { code: Status.INVALID_ARGUMENT, type: ValidationError, message: "text must not be empty" },
    { code: Status.NOT_FOUND, type: NotFoundError, message: "voice x.wav not found" },
    { code: Status.FAILED_PRECONDITION, type: ModelNotReadyError, message: "no VC model" },
    { code: Status.RESOURCE_EXHAUSTED, type: OverloadedError, message: undefined },
  ];
  for (const { code, type, message } of wireCases) {
    it(`maps ${Status[code]} from the wire to ${type.name}`, async () => {
      options.failWith = { GetStatus: { code, details: message ?? "queue full" } };
      const error = await caught(() => client.status());
      expect(error).to.be.instanceOf(type);
      if (message) expect((error as Error).message).to.equal(message);
    });
  }

  it("round-trips audio through TimeStretch and Convert, above grpc's default 4 MiB limit", async () => {
    const samples = sineSamples(2 * MIB, 220, 24_000); // 8 MiB of f32le
    const stretched = await client.timeStretch({ audio: { sampleRate: 24_000, samples }, speed: 2, library: "audiostretchy" });
    expect(stretched.audio.samples.length).to.equal(MIB);
    expect(stretched).to.deep.include({ libraryUsed: "sox", warnings: ["fake: using sox"] });
    const converted = await client.convert({ source: { path: "/in.wav" } }, { requestId: "c1" });
    expect(converted.audio.samples.length).to.equal(4_800);
    expect(converted.stats.warnings).to.deep.equal(["fake: a warning"]);
    expect(converted.stats.ignoredParameters).to.deep.equal(["exaggeration"]);
  });

  it("fails calls in flight at once with the given error", async () => {
    options.unaryDelayMs = 2_000;
    const pending = caught(() => client.status());
    await waitForEvent(fake.state.events, "call", (rpc) => rpc === "GetStatus");
    const reason = new ModelNotReadyError("restarting", 5);
    client.failActiveCalls(reason);
    expect(await within(pending, 1_000, "the failed call")).to.equal(reason);
  });

  it("checks health per service", async () => {
    expect(await client.checkHealth("")).to.equal("serving");
    expect(await client.checkHealth(SPEECH_SERVICE_HEALTH_NAME)).to.equal("serving");
    expect(await caught(() => client.checkHealth("nope"))).to.be.instanceOf(NotFoundError);
  });

  it("maps an unreachable sidecar to ModelNotReadyError", async () => {
    const nowhere = new SidecarClient({ address: "127.0.0.1:1" });
    try {
      expect(await caught(() => nowhere.status())).to.be.instanceOf(ModelNotReadyError);
    } finally {
      nowhere.close();
    }
  });
});
