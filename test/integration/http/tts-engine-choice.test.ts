/**
 * Engine choice per request on /api/v1/tts, and the loaded engines in /api/v1/config and health (fake engines:
 * piper is the default, espeak is loaded beside it, chatterbox is not).
 */
import { expect } from "chai";
import { FakeInferenceBackend } from "../../helpers/fake-inference-backend.js";
import { startTestApp, type TestApp } from "../../helpers/test-app.js";

interface TtsJson {
  engine: string;
  output_files: Array<{ url: string }>;
  detail: Array<{ loc: string[]; msg: string }>;
}

describe("POST /api/v1/tts engine choice (fake engines)", () => {
  let app: TestApp;
  let backend: FakeInferenceBackend;
  before(async () => {
    backend = new FakeInferenceBackend({
      engines: ["piper", "espeak"],
      unavailable: [{ engine: "chatterbox", reason: "no weights in models/" }],
    });
    app = await startTestApp({ backend });
  });
  after(() => app.dispose());

  const tts = async (body: object, query = "?response_mode=json") => {
    const response = await fetch(`${app.baseUrl}/api/v1/tts${query}`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ text: "Which engine speaks?", bypass_whisper_checking: true, ...body }),
    });
    return { status: response.status, headers: response.headers, json: (await response.json()) as TtsJson };
  };
  const companion = async (url: string) =>
    (await fetch(`${app.baseUrl}${url}.json`).then((r) => r.json())) as Record<string, Record<string, unknown>>;

  it("speaks with the default engine when the request names none, and with the named one when it does", async () => {
    const plain = await tts({});
    expect(plain.json.engine).to.equal("piper");
    expect(backend.calls.at(-1)?.engine).to.equal("piper");
    const named = await tts({ engine: "espeak" });
    expect(named.json.engine).to.equal("espeak");
    expect(backend.calls.at(-1)?.engine).to.equal("espeak");
    const metadata = await companion(named.json.output_files[0]!.url);
    expect(metadata.parameters!.engine).to.equal("espeak");
    expect(metadata.generation_info!.engine).to.equal("espeak");
    // auto: the first loaded of chatterbox, piper, espeak.
    expect((await tts({ engine: "auto" })).json.engine).to.equal("piper");
  });

  it("says which engine spoke in the X-Engine header of audio responses", async () => {
    const response = await fetch(`${app.baseUrl}/api/v1/tts?response_mode=stream&return_format=wav`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ text: "Header.", engine: "espeak", bypass_whisper_checking: true }),
    });
    expect(response.status).to.equal(200);
    expect(response.headers.get("x-engine")).to.equal("espeak");
  });

  it("refuses an engine that is not loaded with a 422 on `engine` that says why and what is loaded", async () => {
    const calls = backend.calls.length;
    const missing = await tts({ engine: "chatterbox" });
    expect(missing.status).to.equal(422);
    expect(missing.json.detail).to.deep.equal([
      {
        loc: ["body", "engine"],
        msg: "engine chatterbox is not loaded (no weights in models/); loaded: piper, espeak",
        type: "value_error",
      },
    ]);
    const unknown = await tts({ engine: "festival" });
    expect(unknown.status).to.equal(422);
    expect(unknown.json.detail[0]!.loc).to.deep.equal(["body", "engine"]);
    expect(backend.calls.length).to.equal(calls);
  });

  it("lists the loaded and unavailable engines in /api/v1/config and in health", async () => {
    const config = (await (await fetch(`${app.baseUrl}/api/v1/config`)).json()) as Record<string, any>;
    expect(
      config.inference.loaded_engines.map((e: { name: string; default: boolean }) => [e.name, e.default]),
    ).to.deep.equal([
      ["piper", true],
      ["espeak", false],
    ]);
    expect(config.inference.unavailable_engines).to.deep.equal([
      { name: "chatterbox", reason: "no weights in models/" },
    ]);
    const health = (await (await fetch(`${app.baseUrl}/api/v1/health`)).json()) as Record<string, any>;
    expect(health.engine.name).to.equal("piper");
    expect(health.engines.map((e: { name: string }) => e.name)).to.deep.equal(["piper", "espeak"]);
    expect(health.unavailable_engines).to.deep.equal([{ name: "chatterbox", reason: "no weights in models/" }]);
  });
});
