/**
 * The HTTP API over a supervised fake sidecar process that misbehaves on purpose: crash loops and failed
 * starts heal without restarting node, health never leaks the sidecar's log text, and a request's retries
 * all share its one deadline.
 */
import { expect } from "chai";
import type { SidecarSupervisor } from "../../../src/sidecar/supervisor.js";
import type { SupervisorOptions } from "../../../src/sidecar/supervisor-options.js";
import { makeDataDir, startTestApp, type TestApp } from "../../helpers/test-app.js";
import { caught, TEST_RESTART_POLICY, useFakeSupervisors, waitForEvent, waitForState } from "../sidecar/helpers.js";

describe("HTTP API over a faulty sidecar (fake sidecar process)", function () {
  this.timeout(20_000);
  const fixture = useFakeSupervisors();
  let app: TestApp | undefined;

  afterEach(async () => {
    await app?.dispose();
    app = undefined;
  });

  async function serve(sup: SidecarSupervisor, yaml = ""): Promise<TestApp> {
    app = await startTestApp({ backend: sup.backend, health: sup, data: await makeDataDir(yaml) });
    return app;
  }

  const tts = (body: object) =>
    fetch(`${app!.baseUrl}/api/v1/tts`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ text: "Hello there. How are you?", export_formats: ["wav"], ...body }),
    });
  const health = async () => (await (await fetch(`${app!.baseUrl}/api/v1/health`)).json()) as Record<string, any>;

  function make(overrides: Partial<SupervisorOptions> = {}, fakeArgs: string[] = []): SidecarSupervisor {
    return fixture.make("ready", overrides, fakeArgs);
  }

  it("heals by itself after more crashes than max_restarts: health is healthy and TTS answers 200 each time", async () => {
    const sup = make({ restart: { ...TEST_RESTART_POLICY, maxRestarts: 1 } });
    await sup.start();
    await serve(sup);
    for (let kill = 1; kill <= 3; kill++) {
      const readyAgain = waitForEvent(sup, "ready");
      process.kill(sup.snapshot().pid as number, "SIGKILL");
      await readyAgain;
      expect((await health()).status).to.equal("healthy");
      expect((await tts({ seed: kill })).status).to.equal(200);
    }
  });

  it("retries a first start that failed once, then serves TTS", async () => {
    const sup = make({}, ["--fail-launches", "1"]);
    await serve(sup);
    const ready = waitForEvent(sup, "ready");
    await caught(() => sup.start());
    await ready;
    const report = await health();
    expect(report.status).to.equal("healthy");
    expect(report.sidecar.last_start_failure.reason).to.equal("exited");
    expect((await tts({})).status).to.equal(200);
  });

  it("says when a failed sidecar is retried, and answers 503 with a Retry-After until then", async () => {
    const sup = make({ restart: { ...TEST_RESTART_POLICY, maxRestarts: 0 } }, ["--fail-launches", "100"]);
    await serve(sup);
    await caught(() => sup.start());
    await waitForState(sup, "failed");
    const report = await health();
    expect(report.status).to.equal("unavailable");
    expect(Date.parse(report.sidecar.next_attempt_at)).to.be.greaterThan(Date.now());
    expect(report.warnings.join(" ")).to.include("the next attempt to start the sidecar is at");
    const refused = await tts({});
    expect(refused.status).to.equal(503);
    expect(Number(refused.headers.get("retry-after"))).to.be.greaterThan(TEST_RESTART_POLICY.cooldownMs / 1000 - 5);
  });

  it("shows the exit code, signal and time of a crash in health, never log lines or paths", async () => {
    const sup = make();
    await sup.start();
    await serve(sup);
    const readyAgain = waitForEvent(sup, "ready");
    process.kill(sup.snapshot().pid as number, "SIGKILL");
    await readyAgain;
    const report = await health();
    expect(report.sidecar.last_exit).to.have.all.keys("code", "signal", "at");
    expect(report.sidecar.last_exit.signal).to.equal("SIGKILL");
    const text = JSON.stringify(report);
    // The fake logs its allowed roots (this temp folder) and request ids on stderr; none of it may show here.
    expect(text).to.not.include(fixture.temp.path).and.not.include("stderr").and.not.include("fake sidecar starting");
  });

  it("ends a request whose attempts all fail slowly at its one deadline (504), not after every retry", async () => {
    const sup = fixture.make("fails-slowly", {}, ["--delay-ms", "400"]);
    await sup.start();
    await serve(sup, "api:\n  inference_timeout_seconds: 1\n");
    const response = await tts({ max_attempts_per_candidate: 10 });
    expect(response.status).to.equal(504);
    expect(await response.json()).to.include({ error_code: "INFERENCE_TIMEOUT" });
    // 400 ms per failing attempt within a 1 s deadline: three attempts at most, never the ten asked for.
    const attempts = fixture.logs.lines.filter((l) => l.msg === "fake: SynthesizeStream").length;
    expect(attempts).to.be.within(2, 3);
  });
});
