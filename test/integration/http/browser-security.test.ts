/**
 * What browsers see (fake engine): CORS only for the origins `server.cors_origins` lists (preflights answered
 * before the API-key check, a 401 readable by the page), no CORS header at all by default; security headers on
 * JSON, errors and audio files (Range included, no CSP on audio); and no internals in the body of an error.
 */
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { expect } from "chai";
import { FakeInferenceBackend } from "../../helpers/fake-inference-backend.js";
import { startTestApp, type TestApp } from "../../helpers/test-app.js";

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
