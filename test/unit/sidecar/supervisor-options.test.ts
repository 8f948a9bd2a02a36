import { expect } from "chai";
import { pino } from "pino";
import { loadConfig } from "../../../src/config/load-config.js";
import { supervisorOptionsFromConfig } from "../../../src/sidecar/supervisor-config.js";
import {
  ADMIN_TOKEN_ENV,
  buildSidecarArgs,
  buildSpawnSpec,
  curatedEnv,
  resolveSupervisorOptions,
  type SupervisorOptions,
} from "../../../src/sidecar/supervisor-options.js";

const logger = pino({ level: "silent" });
/** The options main.ts would run with for a config file with no keys: the real defaults. */
const defaults: SupervisorOptions = supervisorOptionsFromConfig(loadConfig({ path: "/nonexistent/config.yaml", env: {} }), {
  projectRoot: "/repo",
  logger,
  env: {},
});

describe("sidecar/supervisor-options", () => {
  it("fills what config does not set, deriving the stop grace from the sidecar's own grace", () => {
    const resolved = resolveSupervisorOptions({ ...defaults, args: { ...defaults.args, graceSeconds: 20 } });
    expect(resolved.argsPrefix).to.deep.equal(["-m", "chatterbox_sidecar"]);
    expect(resolved.stopGraceMs).to.equal(25_000);
    expect(resolved.healthTimeoutMs).to.be.greaterThan(0);
    expect(resolveSupervisorOptions({ ...defaults, stopGraceMs: 1_234 }).stopGraceMs).to.equal(1_234);
  });

  it("takes every configurable value from config, the sidecar's flags from its own defaults file", () => {
    expect(defaults.args).to.include({
      listen: "127.0.0.1:7861",
      logLevel: "info",
      queueCapacity: 16,
      maxQueueWaitSeconds: 120,
      maxMessageMb: 64,
      graceSeconds: 10,
    });
    expect(defaults).to.include({ startupTimeoutMs: 60_000, loadTimeoutMs: 1_800_000, healthIntervalMs: 5_000, healthFailureThreshold: 3 });
    expect(defaults.restart).to.include({ maxRestarts: 5, cooldownMs: 60_000, stableMs: 10_000 });
    expect(defaults.cwd).to.equal("/repo/sidecar");
  });

  it("builds the sidecar's command line, one --allowed-root per root", () => {
    const args = buildSidecarArgs({ ...defaults.args, allowedRoots: ["/data/voices", "/data/vc"] }, 777);
    expect(args).to.deep.equal([
      "--listen", "127.0.0.1:7861",
      "--log-level", "info",
      "--parent-pid", "777",
      "--allowed-root", "/data/voices",
      "--allowed-root", "/data/vc",
      "--queue-capacity", "16",
      "--max-queue-wait-seconds", "120",
      "--max-message-mb", "64",
      "--grace-seconds", "10",
      "--whisper-dir", "/nonexistent/models/whisper",
      "--stt-device", "auto",
      "--stt-memory-mb", "2048",
      "--stt-queue-capacity", "16",
      "--allow-download",
    ]);
  });

  it("passes inference.max_queue_wait_seconds as --max-queue-wait-seconds, 0 (no limit) included", () => {
    const config = loadConfig({ path: "/nonexistent/config.yaml", env: {} });
    for (const seconds of [0, 2.5]) {
      const bounded = { ...config, inference: { ...config.inference, maxQueueWaitSeconds: seconds } };
      const args = buildSidecarArgs(supervisorOptionsFromConfig(bounded, { projectRoot: "/repo", logger }).args, 1);
      const flag = args.indexOf("--max-queue-wait-seconds");
      expect(args.slice(flag, flag + 2)).to.deep.equal(["--max-queue-wait-seconds", String(seconds)]);
      expect(args.filter((arg) => arg === "--max-queue-wait-seconds")).to.have.length(1, "one flag for both queues");
    }
  });

  it("passes only PATH, HOME, LANG, PYTHONUNBUFFERED and the extras", () => {
    const source = { PATH: "/bin", HOME: "/home/u", LANG: "C.UTF-8", AWS_SECRET_ACCESS_KEY: "x", HF_TOKEN: "y" };
    const env = curatedEnv({ HF_HUB_OFFLINE: "1", CUDA_VISIBLE_DEVICES: undefined }, source);
    expect(env).to.deep.equal({ PATH: "/bin", HOME: "/home/u", LANG: "C.UTF-8", PYTHONUNBUFFERED: "1", HF_HUB_OFFLINE: "1" });
  });

  it("puts the prefix before the flags and the admin token in the environment, never on the command line", () => {
    const options = resolveSupervisorOptions({ ...defaults, argsPrefix: ["fake.js", "--scenario", "ready"] });
    const spec = buildSpawnSpec(options, 1, "s3cret");
    expect(spec.command).to.equal(defaults.python);
    expect(spec.args.slice(0, 4)).to.deep.equal(["fake.js", "--scenario", "ready", "--listen"]);
    expect(spec.args.join(" ")).to.not.include("s3cret");
    expect(spec.env[ADMIN_TOKEN_ENV]).to.equal("s3cret");
    expect(spec.cwd).to.equal("/repo/sidecar");
  });

  it("keeps the hub offline when downloads are off, and passes through only model-cache and math-library variables", () => {
    const config = loadConfig({ path: "/nonexistent/config.yaml", env: {} });
    const offline = { ...config, inference: { ...config.inference, allowDownload: false } };
    const env = { HF_HOME: "/cache/hf", OPENBLAS_CORETYPE: "Haswell", AWS_SECRET_ACCESS_KEY: "x" };
    const options = supervisorOptionsFromConfig(offline, { projectRoot: "/repo", logger, env });
    expect(options.env).to.include({ HF_HUB_OFFLINE: "1", HF_HOME: "/cache/hf", OPENBLAS_CORETYPE: "Haswell" });
    expect(options.env).to.not.have.property("AWS_SECRET_ACCESS_KEY");
  });
});
