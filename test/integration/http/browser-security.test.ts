/**
 * What browsers see (fake engine): CORS only for the origins `server.cors_origins` lists (preflights answered
 * before the API-key check, a 401 readable by the page), no CORS header at all by default; form posts from pages
 * of other origins refused; security headers on JSON, errors and audio files (Range included, no CSP on audio);
 * and no internals in the body of an error.
 */
import { readdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { expect } from "chai";
import { expectError } from "../../helpers/error-body.js";
import { FakeInferenceBackend, FAKE_SAMPLE_RATE } from "../../helpers/fake-inference-backend.js";
import { startTestApp, type TestApp } from "../../helpers/test-app.js";
import { buildS16Wav, mono, sine } from "../../helpers/wav-builder.js";

const STUDIO = "https://studio.example.com";
const API_POLICY = "default-src 'none'; frame-ancestors 'none'";

const corsHeaders = (response: Response) =>
  [...response.headers.keys()].filter((name) => name.startsWith("access-control-"));

function expectSecurityHeaders(response: Response): void {
  expect(response.headers.get("x-content-type-options")).to.equal("nosniff");
  expect(response.headers.get("referrer-policy")).to.equal("no-referrer");
  expect(response.headers.get("x-frame-options")).to.equal("DENY");
}

describe("CORS (server.cors_origins, auth on, fake engine)", () => {
  let app: TestApp;
  before(async () => {
    const yaml = `server:\n  cors_origins: ["${STUDIO}"]\nauth:\n  enabled: true\n`;
    app = await startTestApp({ backend: new FakeInferenceBackend(), yaml });
  });
  after(() => app.dispose());

  const get = (path: string, origin?: string) =>
    fetch(`${app.baseUrl}${path}`, { headers: origin ? { Origin: origin } : {} });
  const preflight = (path: string, origin: string) =>
    fetch(`${app.baseUrl}${path}`, {
      method: "OPTIONS",
      headers: {
        Origin: origin,
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "authorization, content-type",
      },
    });

  it("allows a listed origin and exposes the headers clients read", async () => {
    const response = await get("/api/v1/health", STUDIO);
    expect(response.headers.get("access-control-allow-origin")).to.equal(STUDIO);
    const exposed = (response.headers.get("access-control-expose-headers") ?? "").split(", ");
    expect(exposed).to.include.members([
      "X-Request-ID",
      "X-Warnings",
      "X-Engine",
      "X-Generation-Seed",
      "X-Alternative-Formats",
      "Retry-After",
      "X-Processing-Time",
      "X-Verification",
    ]);
    expect(response.headers.get("vary")).to.include("Origin");
    expect(response.headers.get("access-control-allow-credentials")).to.equal(null);
  });

  it("gives an origin off the list, or a request without Origin, no CORS header (but Vary: Origin)", async () => {
    const other = await get("/api/v1/health", "https://evil.example.com");
    expect(other.status).to.equal(200);
    expect(corsHeaders(other)).to.deep.equal([]);
    expect(other.headers.get("vary")).to.include("Origin");
    // Origins match exactly: no prefix, suffix or scheme leniency.
    expect(corsHeaders(await get("/api/v1/health", "https://studio.example.com.evil.net"))).to.deep.equal([]);
    expect(corsHeaders(await get("/api/v1/health", "http://studio.example.com"))).to.deep.equal([]);
    expect(corsHeaders(await get("/api/v1/health"))).to.deep.equal([]);
  });

  it("answers a preflight for a route that needs a key, without one, with the allowed methods and headers", async () => {
    const response = await preflight("/api/v1/tts", STUDIO);
    expect(response.status).to.equal(204);
    expect(response.headers.get("access-control-allow-origin")).to.equal(STUDIO);
    expect(response.headers.get("access-control-allow-methods")).to.include("POST").and.include("DELETE");
    const allowed = (response.headers.get("access-control-allow-headers") ?? "").split(", ");
    expect(allowed).to.include.members(["Authorization", "Content-Type"]);
    expect(Number(response.headers.get("access-control-max-age"))).to.be.greaterThan(0);
    expect(response.headers.get("vary")).to.include("Origin");
  });

  it("answers a preflight from an origin off the list without any CORS header", async () => {
    const response = await preflight("/api/v1/tts", "https://evil.example.com");
    expect(corsHeaders(response)).to.deep.equal([]);
  });

  it("lets the page read a 401: the error carries the CORS headers", async () => {
    const response = await fetch(`${app.baseUrl}/api/v1/tts`, {
      method: "POST",
      headers: { Origin: STUDIO, "Content-Type": "application/json" },
      body: JSON.stringify({ text: "Hello." }),
    });
    expect(response.status).to.equal(401);
    expect(response.headers.get("access-control-allow-origin")).to.equal(STUDIO);
    expect(response.headers.get("access-control-expose-headers")).to.include("WWW-Authenticate");
  });
});

describe("CORS with any origin, and by default", () => {
  it('answers "*" to every origin when cors_origins lists "*"', async () => {
    const app = await startTestApp({ backend: new FakeInferenceBackend(), yaml: 'server:\n  cors_origins: ["*"]\n' });
    try {
      const response = await fetch(`${app.baseUrl}/api/v1/health`, { headers: { Origin: "https://any.example" } });
      expect(response.headers.get("access-control-allow-origin")).to.equal("*");
    } finally {
      await app.dispose();
    }
  });

  it("sends no CORS header at all without cors_origins: browsers keep the same-origin rule", async () => {
    const app = await startTestApp({ backend: new FakeInferenceBackend() });
    try {
      const simple = await fetch(`${app.baseUrl}/api/v1/health`, { headers: { Origin: STUDIO } });
      expect(corsHeaders(simple)).to.deep.equal([]);
      expect(simple.headers.get("vary") ?? "").to.not.include("Origin");
      const preflight = await fetch(`${app.baseUrl}/api/v1/tts`, {
        method: "OPTIONS",
        headers: { Origin: STUDIO, "Access-Control-Request-Method": "POST" },
      });
      expect(corsHeaders(preflight)).to.deep.equal([]);
    } finally {
      await app.dispose();
    }
  });
});

describe("form posts from web pages of other origins (keys off, fake engine)", () => {
  let app: TestApp;
  before(async () => {
    app = await startTestApp({ backend: new FakeInferenceBackend(), yaml: `server:\n  cors_origins: ["${STUDIO}"]\n` });
  });
  after(() => app.dispose());

  const wav = () => buildS16Wav(mono(FAKE_SAMPLE_RATE, sine({ freq: 180, seconds: 1, sampleRate: FAKE_SAMPLE_RATE })));

  /** What a page's `<form enctype="multipart/form-data">` sends: no preflight, so the browser always sends it. */
  function formPost(path: string, fields: Record<string, string | File>, origin?: string): Promise<Response> {
    const form = new FormData();
    for (const [name, value] of Object.entries(fields)) form.set(name, value);
    return fetch(`${app.baseUrl}${path}`, { method: "POST", body: form, headers: origin ? { Origin: origin } : {} });
  }
  const uploadVoice = (name: string, origin?: string) =>
    formPost("/api/v1/voice", { voice_file: new File([new Uint8Array(wav())], name) }, origin);

  it("refuses a voice upload from another origin with 403 in the /api error body, and keeps nothing", async () => {
    // Another site, a sandboxed page ("null"), and another server on this host: none of them is this server.
    const anotherPort = new URL(app.baseUrl);
    anotherPort.port = String(Number(anotherPort.port) + 1);
    for (const origin of ["https://evil.example.com", "null", anotherPort.origin]) {
      const response = await uploadVoice("planted.wav", origin);
      const body = await expectError(response, 403, "PERMISSION_DENIED");
      expect(body.error).to.include(origin).and.include("server.cors_origins");
      expect(response.headers.get("x-request-id")).to.be.a("string").and.not.equal("");
    }
    expect(await readdir(app.config.paths.referenceAudio)).to.not.include("planted.wav");
  });

  it("refuses a post under /v1 and a DELETE from another origin, in each route's error body", async () => {
    const transcription = await formPost(
      "/v1/audio/transcriptions",
      { file: new File([new Uint8Array(wav())], "speech.wav"), model: "whisper-1" },
      "https://evil.example.com",
    );
    expect(transcription.status).to.equal(403);
    const body = (await transcription.json()) as { error: Record<string, unknown> };
    expect(body.error).to.include({ type: "permission_error", code: "permission_denied" });
    await writeFile(join(app.config.paths.outputs, "kept.wav"), wav());
    const deletion = await fetch(`${app.baseUrl}/api/v1/outputs?all=true`, {
      method: "DELETE",
      headers: { Origin: "https://evil.example.com" },
    });
    await expectError(deletion, 403, "PERMISSION_DENIED");
    expect(await readdir(app.config.paths.outputs)).to.include("kept.wav");
  });

  it("takes the post from the server's own pages, from an origin cors_origins allows, and without Origin", async () => {
    for (const [name, origin] of [
      ["own.wav", app.baseUrl],
      ["allowed.wav", STUDIO],
      ["client.wav", undefined],
    ] as const) {
      const response = await uploadVoice(name, origin);
      expect(response.status, `${origin}: ${await response.clone().text()}`).to.equal(200);
    }
    expect(await readdir(app.config.paths.referenceAudio)).to.include.members(["own.wav", "allowed.wav", "client.wav"]);
  });

  it("still answers a page of another origin that only reads (GET)", async () => {
    const response = await fetch(`${app.baseUrl}/api/v1/voices`, { headers: { Origin: "https://evil.example.com" } });
    expect(response.status).to.equal(200);
    expect(corsHeaders(response)).to.deep.equal([]);
  });
});

describe("security headers and error bodies (fake engine)", () => {
  let app: TestApp;
  before(async () => {
    const backend = new FakeInferenceBackend({
      beforeSegment: () => {
        throw new Error("sidecar exploded at /srv/secret/model.py:42");
      },
    });
    app = await startTestApp({ backend });
  });
  after(() => app.dispose());

  it("puts them on JSON answers and on errors, with a CSP under which nothing loads or runs", async () => {
    for (const path of ["/api/v1/health", "/no/such/route", "/metrics"]) {
      const response = await fetch(`${app.baseUrl}${path}`);
      expectSecurityHeaders(response);
      expect(response.headers.get("content-security-policy"), path).to.equal(API_POLICY);
    }
  });

  it("puts them on an /outputs audio file, whole or by Range, without a CSP that would stop a browser playing it", async () => {
    const bytes = Buffer.from(Array.from({ length: 1000 }, (_, i) => i % 256));
    await writeFile(join(app.config.paths.outputs, "take.wav"), bytes);
    const whole = await fetch(`${app.baseUrl}/outputs/take.wav`);
    expect(whole.status).to.equal(200);
    expect(whole.headers.get("content-type")).to.equal("audio/wav");
    expectSecurityHeaders(whole);
    expect(whole.headers.get("content-security-policy")).to.equal(null);
    expect(Buffer.from(await whole.arrayBuffer()).equals(bytes)).to.equal(true);
    const part = await fetch(`${app.baseUrl}/outputs/take.wav`, { headers: { Range: "bytes=100-199" } });
    expect(part.status).to.equal(206);
    expect(part.headers.get("content-range")).to.equal("bytes 100-199/1000");
    expectSecurityHeaders(part);
    expect(Buffer.from(await part.arrayBuffer()).equals(bytes.subarray(100, 200))).to.equal(true);
  });

  it("shows an unexpected error as a generic 500: no message, stack or path of it reaches the client", async () => {
    const request = { method: "POST", headers: { "Content-Type": "application/json" } };
    const ours = await fetch(`${app.baseUrl}/api/v1/tts`, { ...request, body: JSON.stringify({ text: "Hello." }) });
    const openAi = await fetch(`${app.baseUrl}/v1/audio/speech`, {
      ...request,
      body: JSON.stringify({ model: "tts-1", voice: "alloy", input: "Hello." }),
    });
    for (const response of [ours, openAi]) {
      expect(response.status).to.equal(500);
      expectSecurityHeaders(response);
      const text = await response.text();
      expect(text).to.include("Internal server error");
      expect(text).to.not.match(/exploded|secret|model\.py|\bat \S+ \(|\.js:\d+/);
    }
  });
});
