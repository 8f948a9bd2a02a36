/** config `server.cors_origins`: exact origins as browsers send them, or "*"; anything looser is refused at start. */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "chai";
import { ConfigError, loadConfig } from "../../../src/config/load-config.js";

describe("config server.cors_origins", () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), "cors-config-"));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  const load = async (origins: string) => {
    await writeFile(join(dir, "config.yaml"), `server:\n  cors_origins: ${origins}\n`);
    return loadConfig({ path: join(dir, "config.yaml"), env: {} });
  };

  it("is empty by default: same origin only", async () => {
    expect((await load("[]")).server.corsOrigins).to.deep.equal([]);
    await writeFile(join(dir, "config.yaml"), "");
    expect(loadConfig({ path: join(dir, "config.yaml"), env: {} }).server.corsOrigins).to.deep.equal([]);
  });

  it('takes exact origins and "*"', async () => {
    const origins = ["https://studio.example.com", "http://localhost:5173", "*"];
    expect((await load(JSON.stringify(origins))).server.corsOrigins).to.deep.equal(origins);
  });

  it("refuses what is not an origin as a browser sends it, naming each entry's index", async () => {
    const bad = ["https://studio.example.com/", "studio.example.com", "https://Studio.example.com", "https://a.b:443"];
    try {
      await load(JSON.stringify(["https://ok.example", ...bad]));
      expect.fail("loadConfig accepted origins a browser never sends");
    } catch (error) {
      expect(error).to.be.instanceOf(ConfigError);
      const problems = (error as ConfigError).problems;
      expect(problems).to.have.length(bad.length);
      expect(problems.join("\n")).to.include("server.cors_origins.1").and.include("server.cors_origins.4");
    }
  });
});
