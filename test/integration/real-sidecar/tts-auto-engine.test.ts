/**
 * The shipped default, `inference.engine: auto`, with the real sidecar on a machine without Chatterbox weights
 * (as here and on any fresh CPU machine): auto falls to Piper, health says so and why, and a request that names
 * no engine is spoken by Piper.
 */
import { expect } from "chai";
import { startEngineApp, type EspeakApp } from "../../helpers/espeak-app.js";

type Json = Record<string, any>;

describe("the default engine `auto` with the real sidecar and no Chatterbox weights", function () {
  this.timeout(180_000);
  let auto: EspeakApp;
  before(async () => {
    auto = await startEngineApp("auto", async (config) => {
      // What main.ts passes the sidecar from a config that leaves the engine alone.
      expect(config.inference.engine).to.equal("auto");
    });
  });
  after(() => auto?.stop());

  it("names Piper as the engine in health, with the reason auto did not pick Chatterbox", async () => {
    const health = (await (await fetch(`${auto.app.baseUrl}/api/v1/health`)).json()) as Json;
    expect(health.status).to.equal("healthy");
    expect(health.engine.name).to.equal("piper");
    const fallback = (health.warnings as string[]).filter((w) => w.includes("fell back to Piper"));
    expect(fallback).to.have.length(1);
    expect(fallback[0]).to.match(/Chatterbox could not load: .+/);
    expect((health.unavailable_engines as Json[]).map((engine) => engine.name)).to.include("chatterbox");
  });

  it("speaks a plain request with Piper, as the answer and its metadata say, with no warning", async () => {
    const response = await fetch(`${auto.app.baseUrl}/api/v1/tts?response_mode=json`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ text: "Good morning, and welcome to the show.", export_formats: ["wav"] }),
    });
    expect(response.status, await response.clone().text()).to.equal(200);
    const json = (await response.json()) as Json;
    expect(json.engine).to.equal("piper");
    // The server seeds every segment itself; only a seed the client sent is reported as having no effect.
    expect(json.warnings).to.deep.equal([]);
    const companion = (await (await fetch(`${auto.app.baseUrl}${json.output_files[0].url}.json`)).json()) as Json;
    expect(companion.generation_info.engine).to.equal("piper");
    expect(companion.generation_info.duration_seconds).to.be.greaterThan(1);
  });
});
