import { expect } from "chai";
import { pino } from "pino";
import {
  buildSidecarArgs,
  buildSpawnSpec,
  curatedEnv,
  resolveSupervisorOptions,
  type SupervisorOptions,
} from "../../../src/sidecar/supervisor-options.js";

const base: SupervisorOptions = {
  python: "/venv/bin/python",
  cwd: "/repo/sidecar",
  args: { allowedRoots: ["/data/voices", "/data/vc"] },
  loadRequest: { engine: "auto", variant: "english", device: "auto", modelsDir: "/repo/models", allowDownload: false },
  logger: pino({ level: "silent" }),
};

describe("sidecar/supervisor-options", () => {
  it("fills defaults, deriving the stop grace from the sidecar's own grace", () => {
    const resolved = resolveSupervisorOptions({ ...base, args: { ...base.args, graceSeconds: 20 } });
    expect(resolved.argsPrefix).to.deep.equal(["-m", "chatterbox_sidecar"]);
    expect(resolved.args).to.include({ listen: "127.0.0.1:0", logLevel: "info", maxMessageMb: 64, graceSeconds: 20 });
    expect(resolved.stopGraceMs).to.equal(25_000);
    expect(resolved.restart.maxRestarts).to.be.greaterThan(0);
  });

  it("keeps explicit values and ignores undefined ones", () => {
    const resolved = resolveSupervisorOptions({
      ...base,
      args: { ...base.args, listen: undefined, queueCapacity: 2 },
      stopGraceMs: 1_234,
      restart: { maxRestarts: 9, windowMs: undefined },
    });
    expect(resolved.args.listen).to.equal("127.0.0.1:0");
    expect(resolved.args.queueCapacity).to.equal(2);
    expect(resolved.stopGraceMs).to.equal(1_234);
    expect(resolved.restart.maxRestarts).to.equal(9);
    expect(resolved.restart.windowMs).to.be.a("number");
  });

  it("builds the sidecar's command line, one --allowed-root per root", () => {
    const args = buildSidecarArgs(resolveSupervisorOptions(base).args, 777);
    expect(args).to.deep.equal([
      "--listen", "127.0.0.1:0",
      "--log-level", "info",
      "--parent-pid", "777",
      "--allowed-root", "/data/voices",
      "--allowed-root", "/data/vc",
      "--queue-capacity", "8",
      "--max-message-mb", "64",
      "--grace-seconds", "10",
    ]);
  });

  it("passes only PATH, HOME, LANG, PYTHONUNBUFFERED and the extras", () => {
    const source = { PATH: "/bin", HOME: "/home/u", LANG: "C.UTF-8", AWS_SECRET_ACCESS_KEY: "x", HF_TOKEN: "y" };
    const env = curatedEnv({ HF_HUB_OFFLINE: "1", CUDA_VISIBLE_DEVICES: undefined }, source);
    expect(env).to.deep.equal({ PATH: "/bin", HOME: "/home/u", LANG: "C.UTF-8", PYTHONUNBUFFERED: "1", HF_HUB_OFFLINE: "1" });
  });

  it("puts the prefix before the flags in the spawn spec", () => {
    const spec = buildSpawnSpec(resolveSupervisorOptions({ ...base, argsPrefix: ["fake.js", "--scenario", "ready"] }), 1);
    expect(spec.command).to.equal("/venv/bin/python");
    expect(spec.args.slice(0, 4)).to.deep.equal(["fake.js", "--scenario", "ready", "--listen"]);
    expect(spec.cwd).to.equal("/repo/sidecar");
  });
});
