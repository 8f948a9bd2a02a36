import { status as Status } from "@grpc/grpc-js";
import { expect } from "chai";
import { InferenceFailedError, ModelNotReadyError } from "../../../src/domain/errors.js";
import type { SynthesisEvent } from "../../../src/domain/inference.js";
import { SidecarClient } from "../../../src/sidecar/sidecar-client.js";
import { SidecarStartError } from "../../../src/sidecar/sidecar-start-error.js";
import type { SidecarSupervisor } from "../../../src/sidecar/supervisor.js";
import { FAKE_SEGMENT_SAMPLES, sineSamples } from "../../fixtures/fake-speech-service.js";
import { caught, isAlive, useFakeSupervisors, waitForEvent, waitUntil, type LogCapture } from "./helpers.js";

describe("SidecarSupervisor start-up (fake sidecar process)", function () {
  this.timeout(15_000);
  const fixture = useFakeSupervisors();
  const make = fixture.make;

  async function startFailure(sup: SidecarSupervisor): Promise<SidecarStartError> {
    const error = await caught(() => sup.start());
    expect(error).to.be.instanceOf(SidecarStartError);
    return error as SidecarStartError;
  }

  it("becomes ready, reports a snapshot, and serves a stream decoded to Float32Array", async () => {
    const sup = make("ready");
    const engines = await sup.start();
    expect(engines.default.engine).to.equal("espeak");
    expect(sup.state).to.equal("ready");
    const snap = sup.snapshot();
    expect(snap.pid).to.be.a("number");
    expect(snap.address).to.match(/^127\.0\.0\.1:\d+$/);
    expect(snap.loadWarnings[0]).to.equal("fake: no chatterbox weights; using espeak");
    expect(snap.startedAt).to.be.a("string");

    const events: SynthesisEvent[] = [];
    const input = { segments: [{ text: "Hello." }, { text: "World." }], params: {} };
    for await (const event of sup.backend.synthesizeStream(input, { requestId: "r1" })) events.push(event);
    expect(events.map((e) => e.type)).to.deep.equal(["start", "audio", "audio", "end"]);
    const second = events[2];
    if (second?.type !== "audio") throw new Error("expected audio");
    expect(second.samples).to.be.instanceOf(Float32Array);
    expect(second.segmentIndex).to.equal(1);
    const expected = sineSamples(FAKE_SEGMENT_SAMPLES, 220, 24_000, FAKE_SEGMENT_SAMPLES);
    expect(Array.from(second.samples)).to.deep.equal(Array.from(expected));
    expect((await sup.backend.status()).queueCapacity).to.equal(4);
  });

  it("stops the child on stop() and reports it gone", async () => {
    const sup = make("ready");
    await sup.start();
    const pid = sup.snapshot().pid as number;
    await sup.stop();
    expect(sup.state).to.equal("stopped");
    expect(isAlive(pid)).to.equal(false);
    expect(sup.snapshot().lastExit?.code).to.equal(0);
  });

  it("passes its flags, its own pid and a curated environment", async () => {
    process.env.SIDECAR_TEST_SECRET = "must-not-leak";
    try {
      await make("ready").start();
    } finally {
      delete process.env.SIDECAR_TEST_SECRET;
    }
    const line = await fixture.logs.waitFor((l) => l.msg === "fake sidecar starting");
    expect(line.component).to.equal("sidecar");
    expect(line.parent_pid).to.equal(process.pid);
    expect(line.allowed_roots).to.deep.equal([fixture.temp.path]);
    const keys = line.env_keys as string[];
    expect(keys).to.include.members(["HF_HUB_OFFLINE", "PYTHONUNBUFFERED"]);
    expect(keys).to.not.include("SIDECAR_TEST_SECRET");
    const allowed = ["PATH", "HOME", "LANG", "PYTHONUNBUFFERED", "HF_HUB_OFFLINE", "CHATTERBOX_SIDECAR_ADMIN_TOKEN"];
    expect(keys.filter((k) => !allowed.includes(k))).to.deep.equal([]);
  });

  it("reports a child that exits before ready with its exit code and stderr", async () => {
    const sup = make("exit-before-ready");
    const error = await startFailure(sup);
    expect(error.reason).to.equal("exited");
    expect(error.message).to.include("exit code 42");
    expect(error.message).to.include("the fake refuses to start");
    expect(error.exit?.code).to.equal(42);
    const snapshot = sup.snapshot();
    expect(snapshot.lastStartFailure?.reason).to.equal("exited");
    expect(snapshot.lastExit?.code).to.equal(42);
  });

  it("times out a child that never prints its handshake, and kills it", async () => {
    const sup = make("no-handshake", { startupTimeoutMs: 700 });
    const started = waitForPid(fixture.logs);
    const error = await startFailure(sup);
    expect(error.reason).to.equal("handshake_timeout");
    expect(isAlive(await started)).to.equal(false);
  });

  it("times out a child whose health never reports SERVING, and kills it", async () => {
    // Long enough for the fake (a fresh Node process) to answer at least one health check on a busy machine.
    const sup = make("never-serving", { startupTimeoutMs: 3_000 });
    const started = waitForPid(fixture.logs);
    const error = await startFailure(sup);
    expect(error.reason).to.equal("not_serving");
    // What the last check saw depends on how fast the fake starts on a busy machine (NOT_SERVING, or no answer
    // yet); that the sidecar never reported SERVING does not.
    expect(error.message).to.match(/^The sidecar did not report SERVING within 3000 ms \(last: [^\n]+\)\./);
    expect(isAlive(await started)).to.equal(false);
  });

  it("reports a failed LoadModel with the sidecar's message", async () => {
    const sup = make("load-fails");
    const error = await startFailure(sup);
    expect(error.reason).to.equal("load_failed");
    expect(error.message).to.include("weights not found in /models/english");
    await waitUntil(() => sup.snapshot().pid === null, 5_000, "child gone");
  });

  it("reports an interpreter that cannot be started", async () => {
    const sup = make("ready", { python: "/nonexistent/python3" });
    const error = await startFailure(sup);
    expect(error.reason).to.equal("spawn_failed");
    expect(error.message).to.include("/nonexistent/python3");
  });

  it("answers ModelNotReadyError with Retry-After while stopped or starting", async () => {
    const sup = make("ready");
    const before = await caught(() => sup.backend.status());
    expect(before).to.be.instanceOf(ModelNotReadyError);
    const starting = sup.start();
    const during = await caught(() => sup.backend.engines());
    expect(during).to.be.instanceOf(ModelNotReadyError);
    expect((during as ModelNotReadyError).retryAfterSeconds).to.be.greaterThan(0);
    await starting;
    expect((await sup.backend.engines()).default.engine).to.equal("espeak");
  });

  it("retries a first start that failed, in the background, until the sidecar is ready", async () => {
    const sup = make("ready", {}, ["--fail-launches", "1"]);
    const ready = waitForEvent(sup, "ready");
    const error = await startFailure(sup);
    expect(error.reason).to.equal("exited");
    await ready;
    expect(sup.state).to.equal("ready");
    expect(sup.snapshot()).to.include({ restarts: 1, nextAttemptAt: null });
    expect((await sup.backend.engines()).default.engine).to.equal("espeak");
  });

  it("hands the sidecar an admin token: its LoadModel works, a direct client's is PERMISSION_DENIED", async () => {
    const sup = make("ready");
    await sup.start();
    const direct = new SidecarClient({ address: sup.snapshot().address as string });
    try {
      const request = {
        engine: "espeak",
        variant: "english",
        device: "cpu",
        modelsDir: "/m",
        allowDownload: false,
        piperVoice: "",
        engines: [],
        memoryBudgetMb: 0,
      } as const;
      const refused = await caught(() => direct.loadModel(request));
      expect(refused).to.be.instanceOf(InferenceFailedError);
      expect((refused as Error).cause).to.include({ code: Status.PERMISSION_DENIED });
      expect(await fixture.logs.waitFor((l) => l.msg === "fake: LoadModel")).to.include({ admitted: true });
    } finally {
      direct.close();
    }
  });

  it("rejects start() with reason 'stopped' when stopped while starting", async () => {
    const sup = make("no-handshake");
    const starting = caught(() => sup.start());
    await waitForPid(fixture.logs);
    await sup.stop();
    const error = await starting;
    expect(error).to.be.instanceOf(SidecarStartError);
    expect((error as SidecarStartError).reason).to.equal("stopped");
    expect(sup.state).to.equal("stopped");
  });
});

/** The fake's pid, from its first forwarded log line. */
async function waitForPid(logs: LogCapture): Promise<number> {
  const line = await logs.waitFor((l) => l.component === "sidecar" && typeof l.pid === "number");
  return line.pid as number;
}
