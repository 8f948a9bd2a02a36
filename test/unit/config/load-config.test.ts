import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "chai";
import { parse as parseYaml } from "yaml";
import { ConfigError, loadConfig } from "../../../src/config/load-config.js";
import { configSchema } from "../../../src/config/schema.js";

const repoRoot = join(import.meta.dirname, "..", "..", "..", "..");

/** Every leaf key path of a parsed config, e.g. "sidecar.restart.max_restarts". */
/** Maps whose keys are the user's own names (voice aliases), not config keys: one key each. */
const USER_MAPS = new Set(["openai.voice_aliases", "openai.model_engines"]);

function leafKeys(value: unknown, prefix = ""): string[] {
  if (typeof value !== "object" || value === null || Array.isArray(value) || USER_MAPS.has(prefix)) return [prefix];
  return Object.entries(value).flatMap(([key, child]) => leafKeys(child, prefix ? `${prefix}.${key}` : key));
}

describe("loadConfig", () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), "config-test-"));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  async function load(yaml: string, env: NodeJS.ProcessEnv = {}) {
    const path = join(dir, "config.yaml");
    await writeFile(path, yaml);
    return loadConfig({ path, env });
  }

  it("uses the contract defaults when the file does not exist", () => {
    const config = loadConfig({ path: join(dir, "missing.yaml"), env: {} });
    expect(config.source).to.equal(undefined);
    expect(config.server).to.deep.equal({
      host: "127.0.0.1",
      port: 7860,
      logLevel: "info",
      corsOrigins: [],
      shutdownGraceMs: 30_000,
    });
    expect(config.ttsDefaults.temperature).to.equal(0.75);
    expect(config.ttsDefaults.export_formats).to.deep.equal(["wav", "mp3"]);
    expect(config.sidecar.restart.windowMs).to.equal(600_000);
  });

  it("resolves relative paths against the config file's folder and keeps absolute ones", async () => {
    const config = await load("paths:\n  outputs: out/here\n  models: /opt/models\n");
    expect(config.paths.outputs).to.equal(join(dir, "out/here"));
    expect(config.paths.models).to.equal("/opt/models");
    expect(config.sidecar.python).to.equal(join(dir, "sidecar/.venv/bin/python"));
  });

  it("lets HOST, PORT and LOG_LEVEL override the file", async () => {
    const config = await load("server:\n  host: 127.0.0.1\n  port: 7860\n", {
      HOST: "0.0.0.0",
      PORT: "9000",
      LOG_LEVEL: "debug",
    });
    expect(config.server).to.deep.equal({
      host: "0.0.0.0",
      port: 9000,
      logLevel: "debug",
      corsOrigins: [],
      shutdownGraceMs: 30_000,
    });
  });

  it("reports every problem at once, with its key path", async () => {
    const yaml = [
      "server:",
      "  port: 70000",
      "  colour: blue",
      "inference:",
      "  engine: festival",
      "tts_defaults:",
      "  temperature: 5",
      "  export_formats: [ogg]",
    ].join("\n");
    try {
      await load(yaml);
      expect.fail("loadConfig accepted an invalid file");
    } catch (error) {
      expect(error).to.be.instanceOf(ConfigError);
      const problems = (error as ConfigError).problems.join("\n");
      expect((error as ConfigError).problems).to.have.length(5);
      expect(problems).to.include("server.port");
      expect(problems).to.include("colour");
      expect(problems).to.include("inference.engine");
      expect(problems).to.include("tts_defaults.temperature: must be between 0.1 and 2");
      expect(problems).to.include("Unsupported audio format: ogg");
    }
  });

  it("refuses url_sources.allow_hosts entries that are not a host, an address or a CIDR range", async () => {
    try {
      await load("url_sources:\n  allow_hosts: [10.0.0.0/33, 'http://x', media.lan]\n");
      expect.fail("loadConfig accepted a bad allow list");
    } catch (error) {
      const problems = (error as ConfigError).problems;
      expect(problems).to.have.length(2);
      expect(problems.join("\n"))
        .to.include("url_sources.allow_hosts")
        .and.include("10.0.0.0/33")
        .and.include("http://x");
    }
  });

  it("bounds the queue wait at 120 s by default; 0 lifts the bound, a negative value is refused", async () => {
    expect(loadConfig({ path: join(dir, "missing.yaml"), env: {} }).inference.maxQueueWaitSeconds).to.equal(120);
    expect((await load("inference:\n  max_queue_wait_seconds: 0\n")).inference.maxQueueWaitSeconds).to.equal(0);
    try {
      await load("inference:\n  max_queue_wait_seconds: -1\n");
      expect.fail("loadConfig accepted a negative queue wait");
    } catch (error) {
      expect((error as ConfigError).problems.join("\n")).to.include("inference.max_queue_wait_seconds");
    }
  });

  it("rejects a file that is not YAML with the file name in the message", async () => {
    await writeFile(join(dir, "config.yaml"), "server: [unclosed");
    expect(() => loadConfig({ path: join(dir, "config.yaml"), env: {} })).to.throw(ConfigError, "config.yaml");
  });

  it("accepts the shipped config.yaml, which spells out every key", async () => {
    const path = join(repoRoot, "config.yaml");
    expect(loadConfig({ path, env: {} }).source).to.equal(path);
    const shipped = leafKeys(parseYaml(await readFile(path, "utf8")));
    expect(shipped).to.have.members(leafKeys(configSchema.parse({})));
  });

  it("documents every key in docs/configuration.md", async () => {
    const doc = await readFile(join(repoRoot, "docs", "configuration.md"), "utf8");
    const keys = leafKeys(configSchema.parse({}));
    expect(keys.length).to.be.greaterThan(40);
    const undocumented = keys.filter((key) => !doc.includes(`\`${key}\``));
    expect(undocumented).to.deep.equal([]);
  });
});
