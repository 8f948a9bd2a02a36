import { expect } from "chai";
import { ClientGoneError, DomainError, InferenceFailedError, ModelNotReadyError } from "../../../src/domain/errors.js";
import type { LoadedEngines, SynthesisEvent } from "../../../src/domain/inference.js";
import { Engine } from "../../../src/sidecar/generated/chatterbox/v1/speech.js";
import type { HealthCheckReport } from "../../../src/sidecar/health-monitor.js";
import type { ProcessExit } from "../../../src/sidecar/sidecar-process.js";
import type { SidecarSupervisor } from "../../../src/sidecar/supervisor.js";
import { caught, isAlive, TEST_RESTART_POLICY, useFakeSupervisors, waitForEvent, waitForState, within } from "./helpers.js";

const input = { segments: [{ text: "One." }, { text: "Two." }], params: {} };

describe("SidecarSupervisor lifecycle (fake sidecar process)", function () {
  this.timeout(20_000);
  const fixture = useFakeSupervisors();
  const make = fixture.make;

  async function collect(sup: SidecarSupervisor, requestId: string): Promise<SynthesisEvent[]> {
    const events: SynthesisEvent[] = [];
    for await (const event of sup.backend.synthesizeStream(input, { requestId })) events.push(event);
    return events;
  }

  it("restarts a child killed with SIGKILL while idle, and the next call works", async () => {
    const sup = make("ready");
    await sup.start();
    const firstPid = sup.snapshot().pid as number;
    const exited = waitForEvent<[ProcessExit, boolean]>(sup, "exit");
    const readyAgain = waitForEvent(sup, "ready");
    process.kill(firstPid, "SIGKILL");
    const [exit, unexpected] = await exited;
    expect(unexpected).to.equal(true);
    expect(exit.signal).to.equal("SIGKILL");
    await readyAgain;
    const snap = sup.snapshot();
    expect(snap.restarts).to.equal(1);
    expect(snap.pid).to.be.a("number").and.not.equal(firstPid);
    expect(snap.lastExit?.signal).to.equal("SIGKILL");
    expect((await collect(sup, "after-restart")).at(-1)?.type).to.equal("end");
  });

  it("fails a stream in flight quickly with a 5xx-class error when the child crashes", async () => {
    const sup = make("crash-on-request");
    await sup.start();
    const exited = waitForEvent<[ProcessExit, boolean]>(sup, "exit");
    const error = await within(caught(() => collect(sup, "doomed")), 3_000, "the failing stream");
    expect(error).to.be.instanceOf(DomainError);
    expect(error instanceof ModelNotReadyError || error instanceof InferenceFailedError).to.equal(true);
    const [exit, unexpected] = await exited;
    expect([exit.code, unexpected]).to.deep.equal([3, true]);
    await waitForState(sup, "ready");
  });

  it("makes a stream the crash cut off before any audio once more on the restarted sidecar: the caller never sees it", async () => {
    const sup = make("crash-once-on-request");
    await sup.start();
    const exited = waitForEvent<[ProcessExit, boolean]>(sup, "exit");
    const events = await within(collect(sup, "survives"), 10_000, "the retried stream");
    expect(events.map((event) => event.type)).to.deep.equal(["start", "audio", "audio", "end"]);
    expect((await exited)[1]).to.equal(true);
    const streams = fixture.logs.lines.filter((line) => line.msg === "fake: crashing on request");
    expect(streams).to.have.length(1);
    expect(sup.snapshot().restarts).to.equal(1);
  });

  it("is not worn down by crashes it recovers from: killed more often than max_restarts, it comes back each time", async () => {
    const sup = make("ready", { restart: { ...TEST_RESTART_POLICY, maxRestarts: 1 } });
    await sup.start();
    const states: string[] = [];
    sup.on("state", (state) => states.push(state));
    for (let kill = 1; kill <= 4; kill++) {
      const readyAgain = waitForEvent(sup, "ready");
      process.kill(sup.snapshot().pid as number, "SIGKILL");
      await readyAgain;
      expect((await collect(sup, `after-kill-${kill}`)).at(-1)?.type).to.equal("end");
    }
    expect(states).to.not.include("failed");
    expect(sup.snapshot().restarts).to.equal(4);
  });

  it("backs off further for a sidecar that keeps crashing right after it is ready, not for a stable one", async () => {
    async function restartDelays(stableMs: number): Promise<number[]> {
      const restart = { ...TEST_RESTART_POLICY, backoffInitialMs: 100, backoffMaxMs: 10_000, stableMs };
      const sup = make("ready", { restart, random: () => 1 }); // jitter pinned: each delay is the nominal one
      await sup.start();
      const delays: number[] = [];
      sup.on("restart", (_number, delayMs) => delays.push(delayMs));
      for (let kill = 0; kill < 3; kill++) {
        const readyAgain = waitForEvent(sup, "ready");
        process.kill(sup.snapshot().pid as number, "SIGKILL");
        await readyAgain;
      }
      await sup.stop();
      return delays;
    }
    expect(await restartDelays(60_000)).to.deep.equal([100, 200, 400]);
    expect(await restartDelays(0)).to.deep.equal([100, 100, 100]);
  });

  it("cools down as failed when starts keep failing, says when it retries, and heals by itself", async () => {
    const restart = { ...TEST_RESTART_POLICY, maxRestarts: 1, cooldownMs: 300 };
    const sup = make("ready", { restart }, ["--fail-launches", "3"]);
    const cooling = waitForEvent<[Error, boolean]>(sup, "failed", (_error, coolingDown) => coolingDown);
    const ready = waitForEvent(sup, "ready");
    await caught(() => sup.start());
    await cooling;
    await waitForState(sup, "failed");
    const snapshot = sup.snapshot();
    expect(snapshot.nextAttemptAt).to.be.a("string");
    expect(snapshot.lastStartFailure?.reason).to.equal("exited");
    const refused = await caught(() => collect(sup, "refused"));
    expect(refused).to.be.instanceOf(ModelNotReadyError);
    expect((refused as ModelNotReadyError).retryAfterSeconds).to.be.greaterThan(0);
    await ready; // launches 3 (after a cool-down) fails too; launch 4 (after another) works
    expect((await collect(sup, "healed")).at(-1)?.type).to.equal("end");
    expect(sup.snapshot()).to.include({ state: "ready", nextAttemptAt: null });
  });

  it("remembers that auto fell back to espeak and asks for espeak directly after a crash", async () => {
    const sup = make("ready");
    const first = await sup.start();
    expect(first.default.warnings).to.include("fake: no chatterbox weights; using espeak");
    const readyAgain = waitForEvent<[LoadedEngines]>(sup, "ready");
    process.kill(sup.snapshot().pid as number, "SIGKILL");
    const [again] = await readyAgain;
    const loads = fixture.logs.lines.filter((l) => l.msg === "fake: LoadModel").map((l) => l.engine);
    expect(loads).to.deep.equal([Engine.ENGINE_AUTO, Engine.ENGINE_ESPEAK]);
    expect(again.default.warnings).to.include("fake: no chatterbox weights; using espeak");
    expect(sup.snapshot().loadWarnings.join(" ")).to.include("restart the server to try Chatterbox again");
  });

  it("tolerates fewer health failures than the threshold", async () => {
    const sup = make("health-flaps", { healthIntervalMs: 20, healthFailureThreshold: 3 }, ["--flaps", "2"]);
    const recovered = waitForEvent<[HealthCheckReport]>(sup, "health", (r) => r.ok);
    const reports: HealthCheckReport[] = [];
    sup.on("health", (r) => reports.push(r));
    await sup.start();
    await recovered;
    expect(reports.map((r) => r.consecutiveFailures)).to.deep.equal([1, 2, 0]);
    expect(sup.state).to.equal("ready");
    expect(sup.snapshot().restarts).to.equal(0);
  });

  it("kills and restarts a child that keeps failing its health checks", async () => {
    const sup = make("health-flaps", { healthIntervalMs: 20, healthFailureThreshold: 2 }, ["--flaps", "1000"]);
    await sup.start();
    const [exit, unexpected] = await waitForEvent<[ProcessExit, boolean]>(sup, "exit");
    expect(unexpected).to.equal(true);
    expect(exit.signal).to.equal("SIGKILL");
    await waitForEvent(sup, "ready");
    expect(sup.snapshot().restarts).to.equal(1);
  });

  it("keeps a busy sidecar: a slow stream does not fail health; aborting it cancels the call", async () => {
    const sup = make("slow-stream", { healthIntervalMs: 20, healthFailureThreshold: 1 });
    await sup.start();
    const controller = new AbortController();
    const stream = sup.backend.synthesizeStream(input, { signal: controller.signal, requestId: "slow-1" });
    const iterator = stream[Symbol.asyncIterator]();
    expect((await iterator.next()).value?.type).to.equal("start");
    expect((await iterator.next()).value?.type).to.equal("audio");
    let healthy = 0;
    await waitForEvent<[HealthCheckReport]>(sup, "health", (r) => r.ok && ++healthy >= 3);
    expect(sup.state).to.equal("ready");
    const pending = caught(() => iterator.next());
    controller.abort();
    expect(await pending).to.be.instanceOf(ClientGoneError);
    await fixture.logs.waitFor((l) => l.msg === "stream cancelled by the client" && l.request_id === "slow-1");
  });

  it("cancels the call when the consumer stops reading early", async () => {
    const sup = make("slow-stream");
    await sup.start();
    for await (const event of sup.backend.synthesizeStream(input, { requestId: "early-break" })) {
      if (event.type === "audio") break;
    }
    await fixture.logs.waitFor((l) => l.msg === "stream cancelled by the client" && l.request_id === "early-break");
  });

  it("stops idempotently: parallel and repeated stop() calls all resolve", async () => {
    const sup = make("ready");
    await sup.start();
    const pid = sup.snapshot().pid as number;
    const exits: boolean[] = [];
    sup.on("exit", (_exit, unexpected) => exits.push(unexpected));
    await Promise.all([sup.stop(), sup.stop(), sup.stop()]);
    await sup.stop();
    expect(sup.state).to.equal("stopped");
    expect(isAlive(pid)).to.equal(false);
    expect(exits).to.deep.equal([false]);
    expect(sup.snapshot().restarts).to.equal(0);
  });

  it("sends SIGKILL to a child that ignores SIGTERM, after the grace period", async () => {
    const sup = make("ignores-sigterm", { stopGraceMs: 300 });
    await sup.start();
    await within(sup.stop(), 3_000, "stop()");
    expect(sup.snapshot().lastExit?.signal).to.equal("SIGKILL");
    await fixture.logs.waitFor((l) => l.msg === "fake: ignoring SIGTERM" && l.level === 40);
    expect(fixture.logs.find((l) => String(l.msg).includes("ignored SIGTERM"))?.component).to.equal("supervisor");
  });

  it("can start again after a stop", async () => {
    const sup = make("ready");
    await sup.start();
    await sup.stop();
    await sup.start();
    expect(sup.state).to.equal("ready");
    expect((await sup.backend.engines()).default.engine).to.equal("espeak");
  });
});
