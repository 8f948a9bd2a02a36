import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { expect } from "chai";
import { FakeInferenceBackend, type FakeBackendOptions } from "../../helpers/fake-inference-backend.js";
import { startTestApp, type TestApp } from "../../helpers/test-app.js";
import { buildS16Wav, mono, sine } from "../../helpers/wav-builder.js";

/** A 2-second tone: audio the fake recognizer hears no words in. */
const TWO_SECONDS = buildS16Wav(mono(24000, sine({ freq: 220, seconds: 2, sampleRate: 24000 })));

describe("POST /api/v1/vc_input fills a missing text by speech recognition (fake engine)", () => {
  const apps: TestApp[] = [];
  after(() => Promise.all(apps.map((app) => app.dispose())));

  async function start(yaml: string, options: FakeBackendOptions = {}) {
    const backend = new FakeInferenceBackend(options);
    const app = await startTestApp({ backend, yaml });
    apps.push(app);
    return { app, backend };
  }

  async function upload(app: TestApp, name: string, fields: Record<string, string> = {}) {
    const form = new FormData();
    form.append("vc_input_file", new Blob([new Uint8Array(TWO_SECONDS)]), name);
    for (const [key, value] of Object.entries(fields)) form.append(key, value);
    const response = await fetch(`${app.baseUrl}/api/v1/vc_input`, { method: "POST", body: form });
    expect(response.status).to.equal(200);
    const body = (await response.json()) as { metadata: Record<string, unknown>; warnings: string[] };
    const companion = JSON.parse(await readFile(join(app.config.paths.vcInputs, `${name}.json`), "utf8"));
    return { ...body, companion };
  }

  it("transcribes, and says so when no words were recognised", async () => {
    const { app, backend } = await start("");
    const result = await upload(app, "take1.wav");
    expect(backend.transcribeCalls).to.have.length(1);
    expect(result.metadata).to.include({ text: null, text_source: null });
    expect(result.warnings.join(" ")).to.match(/no words were recognised/);
  });

  it("leaves recordings longer than stt.vc_input_max_seconds alone, saying so", async () => {
    const { app, backend } = await start("stt:\n  vc_input_max_seconds: 1\n");
    const result = await upload(app, "long.wav");
    expect(backend.transcribeCalls).to.have.length(0);
    expect(result.companion).to.include({ text: null, text_source: null });
    expect(result.warnings.join(" ")).to.match(/longer than 1 s \(stt\.vc_input_max_seconds\)/);
  });

  it("does not transcribe with transcribe=false, or when the text is sent", async () => {
    const { app, backend } = await start("");
    const off = await upload(app, "off.wav", { transcribe: "false" });
    expect(off.warnings).to.deep.equal([]);
    const given = await upload(app, "given.wav", { text: "Host intro" });
    expect(given.metadata).to.include({ text: "Host intro", text_source: "client" });
    expect(backend.transcribeCalls).to.have.length(0);
  });

  it("still stores the upload when the server has no speech recognition", async () => {
    const { app } = await start("", { stt: { available: false } });
    const result = await upload(app, "nostt.wav");
    expect(result.companion).to.include({ filename: "nostt.wav", text: null });
    expect(result.warnings.join(" ")).to.match(
      /not filled in by speech recognition: Speech recognition is not installed/,
    );
  });
});
