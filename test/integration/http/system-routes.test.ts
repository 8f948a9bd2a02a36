import { mkdir, symlink, writeFile } from "node:fs/promises";
import { request } from "node:http";
import { join } from "node:path";
import { expect } from "chai";
import { FakeInferenceBackend } from "../../helpers/fake-inference-backend.js";
import { startTestApp, type TestApp } from "../../helpers/test-app.js";

/** Status of a GET whose path is sent exactly as written. */
function rawStatus(url: string): Promise<number> {
  const { host, port } = new URL(url);
  const path = url.slice(url.indexOf("/", url.indexOf("//") + 2));
  return new Promise((resolve, reject) => {
    request({ host: host.split(":")[0], port, path }, (response) => {
      response.resume();
      resolve(response.statusCode ?? 0);
    })
      .on("error", reject)
      .end();
  });
}

/** Usage rows are written when a response closes, just after the client has read it. */
async function waitFor(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setImmediate(resolve));
}

describe("system routes and /outputs (fake engine)", () => {
  let app: TestApp;
  before(async () => {
    app = await startTestApp({ backend: new FakeInferenceBackend() });
  });
  after(() => app.dispose());

  const get = (path: string, init?: RequestInit) => fetch(`${app.baseUrl}${path}`, init);

  it("describes the service at /", async () => {
    const body = (await (await get("/")).json()) as { message: string; endpoints: Record<string, string> };
    expect(body.message).to.include("Chatterbox TTS Extended Plus");
    expect(body.endpoints.tts_generation).to.equal("/api/v1/tts");
    expect(body.endpoints.voice_conversion).to.equal("/api/v1/vc");
    expect(body.endpoints.studio).to.equal("/ui/");
  });

  it("points a browser at / to the studio and the API reference, under the API's content policy", async () => {
    const response = await get("/", { headers: { Accept: "text/html,application/xhtml+xml,*/*;q=0.8" } });
    expect(response.headers.get("content-type")).to.match(/^text\/html/);
    expect(response.headers.get("content-security-policy")).to.include("default-src 'none'");
    const page = await response.text();
    expect(page).to.include('href="/ui/"').and.include('href="/docs"');
    // Clients that name JSON, or take anything, keep the description.
    for (const accept of ["application/json", "*/*"]) {
      const api = await get("/", { headers: { Accept: accept } });
      expect(api.headers.get("content-type"), accept).to.match(/^application\/json/);
    }
  });

  it("keeps the studio's page files out of the usage log, and records the API calls the page makes", async () => {
    const seen: string[] = [];
    const record = app.services.usage.record.bind(app.services.usage);
    app.services.usage.record = (row) => {
      record(row);
      seen.push(row.endpoint);
    };
    try {
      await (await get("/ui/")).arrayBuffer();
      await (await get("/ui/missing.js")).arrayBuffer();
      await (await get("/api/v1/config")).arrayBuffer();
      await waitFor(() => seen.includes("GET /api/v1/config"));
      expect(seen).to.deep.equal(["GET /api/v1/config"]);
    } finally {
      app.services.usage.record = record;
    }
  });

  it("reports health with the engine, the sidecar, the queue and speech recognition", async () => {
    const response = await get("/api/v1/health");
    expect(response.status).to.equal(200);
    const body = (await response.json()) as Record<string, any>;
    expect(body.status).to.equal("healthy");
    expect(body.engine).to.include({ name: "espeak", device: "cpu", sample_rate: 24000 });
    expect(body.engine.voice_method).to.equal("fake: a tone whose pitch follows the seed");
    expect(body.models_loaded).to.deep.equal({ tts: true, vc: false });
    expect(body.sidecar).to.include({ state: "ready", address: "127.0.0.1:1", restarts: 0 });
    expect(body.queue).to.deep.equal({ state: "ready", depth: 0, capacity: 4 });
    expect(body.stt).to.include({ available: true, version: "fake-whisper 1.0", memory_budget_mb: 100 });
    expect(body.stt.models[0]).to.deep.include({ installed: true, loaded: false });
    expect(body.warnings).to.deep.equal([]);
  });

  it("warns in health when the sidecar has no speech recognition", async () => {
    const bare = await startTestApp({ backend: new FakeInferenceBackend({ stt: { available: false } }) });
    try {
      const body = (await (await fetch(`${bare.baseUrl}/api/v1/health`)).json()) as Record<string, any>;
      expect(body.status).to.equal("healthy");
      expect(body.stt).to.include({ available: false });
      expect(body.warnings).to.deep.equal(["speech recognition (faster-whisper) is not installed: run `npm install`"]);
    } finally {
      await bare.dispose();
    }
  });

  it("shows the request defaults and limits in force at /api/v1/config", async () => {
    const body = (await (await get("/api/v1/config")).json()) as Record<string, any>;
    expect(body.tts_defaults).to.include({ temperature: 0.75, exaggeration: 0.5, cfg_weight: 1, seed: 0 });
    expect(body.supported_formats).to.deep.equal(["wav", "mp3", "flac", "opus", "aac", "pcm"]);
    expect(body.vc_defaults).to.include({ chunk_sec: 60, overlap_sec: 0.1, pitch_shift: 0 });
    expect(body.url_sources).to.deep.equal({ enabled: false, max_mb: 50, timeout_seconds: 30 });
    expect(body.api_limits).to.include({
      max_text_length: 10000,
      max_segment_chars: 300,
      max_transcription_upload_mb: 25,
    });
    expect(body.api_limits).to.include({
      max_concat_items: 5000,
      max_concat_upload_mb: 100,
      max_concat_total_mb: 1024,
    });
  });

  it("serves files below outputs/ with their content type and refuses to leave the folder", async () => {
    await mkdir(join(app.config.paths.outputs, "my project"), { recursive: true });
    await writeFile(join(app.config.paths.outputs, "my project", "a.mp3"), "ID3fake");
    await writeFile(join(app.dir, "secret.txt"), "secret");
    await symlink(join(app.dir, "secret.txt"), join(app.config.paths.outputs, "leak.mp3"));
    const file = await get("/outputs/my%20project/a.mp3");
    expect(file.status).to.equal(200);
    expect(file.headers.get("content-type")).to.equal("audio/mpeg");
    expect(await file.text()).to.equal("ID3fake");
    expect((await get("/outputs/leak.mp3")).status).to.equal(400);
    // fetch() would normalise the dots away; a raw request sends them as a client could.
    expect(await rawStatus(`${app.baseUrl}/outputs/..%2Fsecret.txt`)).to.equal(400);
    expect(await rawStatus(`${app.baseUrl}/outputs/my%20project/..%2F..%2Fsecret.txt`)).to.equal(400);
    const missing = await get("/outputs/none.wav");
    expect(missing.status).to.equal(404);
    expect(await missing.json()).to.include({ success: false, error_code: "RESOURCE_NOT_FOUND" });
  });

  it("answers unknown routes with 404 and wrong methods with 405 and Allow, in the one error body", async () => {
    const unknown = await get("/api/v1/nonexistent");
    expect(unknown.status).to.equal(404);
    expect(await unknown.json()).to.deep.include({ success: false, error_code: "RESOURCE_NOT_FOUND" });
    const wrong = await get("/api/v1/tts");
    expect(wrong.status).to.equal(405);
    expect(wrong.headers.get("allow")).to.equal("POST");
    expect(await wrong.json()).to.include({ success: false, error_code: "METHOD_NOT_ALLOWED" });
    const deleteHealth = await get("/api/v1/health", { method: "DELETE" });
    expect(deleteHealth.status).to.equal(405);
    expect(deleteHealth.headers.get("allow")).to.equal("HEAD, GET");
  });

  it("echoes a client's X-Request-ID and makes one otherwise", async () => {
    expect((await get("/", { headers: { "X-Request-ID": "abc-123" } })).headers.get("x-request-id")).to.equal(
      "abc-123",
    );
    expect((await get("/")).headers.get("x-request-id")).to.match(/^[0-9a-f-]{36}$/);
  });
});
