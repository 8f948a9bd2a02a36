/**
 * The contract between the server and the real Python sidecar (espeak engine), checked from outside: the
 * engine's segment limit wins over a larger config value, LoadModel is closed to direct clients, health
 * after a crash states facts without log text, and the proto-loader example client works.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { status as Status } from "@grpc/grpc-js";
import { expect } from "chai";
import { execa } from "execa";
import { InferenceFailedError } from "../../../src/domain/errors.js";
import { createRootLogger } from "../../../src/logging.js";
import { PROJECT_ROOT } from "../../../src/project-root.js";
import { sidecarReason } from "../../../src/sidecar/grpc-errors.js";
import { SidecarClient } from "../../../src/sidecar/sidecar-client.js";
import { supervisorOptionsFromConfig } from "../../../src/sidecar/supervisor-config.js";
import type { SidecarSupervisor } from "../../../src/sidecar/supervisor.js";
import { probeAudio } from "../../helpers/ffprobe.js";
import { realSidecarSupervisor } from "../../helpers/real-sidecar.js";
import { makeDataDir, startTestApp, type TestApp } from "../../helpers/test-app.js";
import { caught, waitForEvent } from "../sidecar/helpers.js";

const silent = createRootLogger("silent");

describe("server ↔ sidecar contract with the real sidecar (espeak engine)", function () {
  this.timeout(120_000);
  let supervisor: SidecarSupervisor;
  let app: TestApp;
  let scratch: string;

  before(async () => {
    const data = await makeDataDir("inference:\n  max_segment_chars: 600\n  allow_download: false\n");
    // `auto`, as a fresh install runs: its fallback warning reaches health too, which must stay free of paths.
    const { loadRequest } = supervisorOptionsFromConfig(data.config, { projectRoot: PROJECT_ROOT, logger: silent });
    supervisor = realSidecarSupervisor(data.config, { loadRequest });
    await supervisor.start();
    app = await startTestApp({ backend: supervisor.backend, data, health: supervisor });
    scratch = await mkdtemp(join(tmpdir(), "sidecar-contract-"));
  });
  after(async () => {
    await app?.dispose();
    await supervisor?.stop();
    await rm(scratch, { recursive: true, force: true });
  });

  const getJson = async (path: string) => (await (await fetch(`${app.baseUrl}${path}`)).json()) as Record<string, any>;

  it("speaks a 450-character sentence when config allows 600 but the engine 300: the engine's limit applies", async () => {
    const clause = "and the river kept running past the old mill while the children counted the boats";
    const sentence = `${Array.from({ length: 6 }, () => clause).join(", ")}.`;
    expect(sentence.length).to.be.within(450, 520);
    const response = await fetch(`${app.baseUrl}/api/v1/tts?response_mode=json`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ text: sentence, export_formats: ["wav"], seed: 5 }),
    });
    expect(response.status, await response.clone().text()).to.equal(200);
    expect(((await getJson("/api/v1/config")).api_limits as Record<string, number>).max_segment_chars).to.equal(300);
    const warnings = (await getJson("/api/v1/health")).warnings as string[];
    expect(warnings.join(" ")).to.include(
      "inference.max_segment_chars is 600 but the espeak engine accepts at most 300",
    );
  });

  it("refuses LoadModel from a direct client without the admin token (PERMISSION_DENIED)", async () => {
    const direct = new SidecarClient({ address: supervisor.snapshot().address as string });
    try {
      const load = {
        engine: "espeak",
        variant: "english",
        device: "cpu",
        modelsDir: scratch,
        allowDownload: false,
        piperVoice: "",
        engines: [],
        memoryBudgetMb: 0,
      } as const;
      const error = await caught(() => direct.loadModel(load));
      expect(error).to.be.instanceOf(InferenceFailedError);
      expect((error as Error).cause).to.include({ code: Status.PERMISSION_DENIED });
      expect(sidecarReason(error)).to.equal("ADMIN_TOKEN_REQUIRED");
      expect((await direct.engines()).default.engine).to.equal("espeak"); // the public RPCs stay open
    } finally {
      direct.close();
    }
  });

  it("streams speech to the proto-loader example client", async () => {
    const out = join(scratch, "example.wav");
    const address = supervisor.snapshot().address as string;
    const text = "The example loads the proto at run time. It streams one sentence at a time.";
    const run = await execa(process.execPath, [
      join(PROJECT_ROOT, "docs/examples/stream-client.mjs"),
      "--address",
      address,
      "--text",
      text,
      "--seed",
      "3",
      "--out",
      out,
    ]);
    expect(run.stdout).to.match(/start\s+2 segments, ENGINE_ESPEAK at 24000 Hz/);
    expect(run.stdout).to.match(/audio\s+segment 1 .*\(segment done\)/);
    expect(run.stdout).to.include(`wrote ${out}`);
    const probed = await probeAudio(out);
    expect(probed).to.include({ codecName: "pcm_f32le", sampleRate: 24000, channels: 1 });
    expect(probed.durationSeconds).to.be.greaterThan(2);
  });

  it("after a crash, health shows the exit facts only: no log lines, no paths", async () => {
    const readyAgain = waitForEvent(supervisor, "ready", () => true, 30_000);
    process.kill(supervisor.snapshot().pid as number, "SIGKILL");
    await readyAgain;
    const health = await getJson("/api/v1/health");
    expect(health.sidecar.last_exit).to.deep.include({ signal: "SIGKILL", code: null });
    expect(health.sidecar.last_exit).to.have.all.keys("code", "signal", "at");
    expect(health.warnings.join(" ")).to.include("engine AUTO fell back to espeak-ng");
    const text = JSON.stringify(health);
    expect(text).to.not.include(PROJECT_ROOT).and.not.include(app.dir).and.not.include("Traceback");
  });
});
