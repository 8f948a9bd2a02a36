/**
 * GET /metrics, /healthz and /readyz through HTTP (fake engine): request counts grow by exactly the requests
 * made, labelled by route pattern (never the URL); speech responses time their first audio byte; each engine
 * call's queue wait and real-time factor come from the stats the engine reports; the sidecar's state is read at
 * scrape time from the health source, ready or not, and /readyz answers 503 until it is ready. Every log line
 * of a request, HTTP or realtime session, names it by the X-Request-ID its client got (`reqId`).
 */
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { expect } from "chai";
import { pino } from "pino";
import { WebSocket } from "ws";
import type { HealthSource } from "../../../src/services/health-service.js";
import type { SupervisorSnapshot } from "../../../src/sidecar/supervisor-snapshot.js";
import { FAKE_SAMPLE_RATE, FakeInferenceBackend, SECONDS_PER_CHAR } from "../../helpers/fake-inference-backend.js";
import { ScriptedEngine } from "../../helpers/scripted-engine.js";
import { startTestApp, type TestApp } from "../../helpers/test-app.js";
import { buildS16Wav, mono, sine } from "../../helpers/wav-builder.js";

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** Every sample of the Prometheus text exposition format. */
async function scrape(app: TestApp): Promise<Sample[]> {
  const response = await fetch(`${app.baseUrl}/metrics`);
  expect(response.status).to.equal(200);
  expect(response.headers.get("content-type")).to.match(/^text\/plain; version=0\.0\.4/);
  return (await response.text())
    .split("\n")
    .filter((line) => line !== "" && !line.startsWith("#"))
    .map((line) => {
      const [, name, labels = "", value] = /^(\w+)(?:\{(.*)\})? (\S+)$/.exec(line)!;
      const pairs = [...labels.matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map(([, key, text]) => [key, text]);
      return { name: name!, labels: Object.fromEntries(pairs) as Record<string, string>, value: Number(value) };
    });
}

/** The value of the sample with exactly these labels; 0 when there is none (a counter not yet touched). */
function valueOf(samples: Sample[], name: string, labels: Record<string, string> = {}): number {
  const wanted = JSON.stringify(Object.entries(labels).sort());
  const found = samples.find((s) => s.name === name && JSON.stringify(Object.entries(s.labels).sort()) === wanted);
  return found?.value ?? 0;
}

const json = (body: object) => ({
  method: "POST",
  headers: { "Content-Type": "application/json" },
  body: JSON.stringify(body),
});

/** What every call of the fake engine reports: a quarter second in the queue, 0.52 s of work. */
const REPORTED_TIMING = { queueWaitMs: 250, generationMs: 520 };
/** The fake engine's audio for one segment: its tone plus 0.2 s of silence on each side. */
const spokenSeconds = (text: string) => text.length * SECONDS_PER_CHAR + 0.4;

describe("metrics and probes (fake engine)", () => {
  let app: TestApp;
  let backend: FakeInferenceBackend;
  let reached: () => void = () => {};
  let ended: () => void = () => {};
  before(async () => {
    backend = new FakeInferenceBackend({
      engines: ["espeak", "piper"],
      // A text saying "wait" holds its call until the client leaves, for the 499 test.
      beforeSegment: (call, _index, signal) => {
        if (!backend.calls[call]?.segments[0]?.text.includes("wait")) return undefined;
        reached();
        return new Promise((resolve) => signal?.addEventListener("abort", () => resolve()));
      },
      onCallEnd: () => ended(),
      timing: REPORTED_TIMING,
    });
    app = await startTestApp({ backend });
  });
  after(() => app.dispose());

  const get = (path: string, init?: RequestInit) => fetch(`${app.baseUrl}${path}`, init);

  it("counts requests by route pattern, method and status: exactly the requests made, never the URL", async () => {
    const file = Buffer.alloc(3000, 1);
    await writeFile(join(app.config.paths.outputs, "metered.wav"), file);
    const before = await scrape(app);
    for (const name of ["a.wav", "b.wav", "c/d.wav"])
      expect((await get(`/api/v1/voices/${name}`)).status).to.equal(404);
    for (let i = 0; i < 2; i += 1)
      expect((await (await get("/outputs/metered.wav")).arrayBuffer()).byteLength).to.equal(3000);
    expect((await get("/no/such/route")).status).to.equal(404);
    expect((await get("/api/v1/tts")).status).to.equal(405);
    const after = await scrape(app);

    const delta = (name: string, labels: Record<string, string>) =>
      valueOf(after, name, labels) - valueOf(before, name, labels);
    const voices = { route: "/api/v1/voices/*path", method: "GET", status: "404" };
    const outputs = { route: "/outputs/*path", method: "GET", status: "200" };
    expect(delta("http_requests_total", voices)).to.equal(3);
    expect(delta("http_request_duration_seconds_count", voices)).to.equal(3);
    expect(delta("http_requests_total", outputs)).to.equal(2);
    expect(delta("http_request_duration_seconds_count", outputs)).to.equal(2);
    expect(delta("http_response_bytes_total", { route: "/outputs/*path" })).to.equal(6000);
    // A route that exists for other methods only is no route for this one: both land in `unmatched`.
    expect(delta("http_requests_total", { route: "unmatched", method: "GET", status: "404" })).to.equal(1);
    expect(delta("http_requests_total", { route: "unmatched", method: "GET", status: "405" })).to.equal(1);
    const routes = new Set(after.filter((s) => s.name === "http_requests_total").map((s) => s.labels.route));
    expect([...routes].filter((route) => /a\.wav|metered|no\/such/.test(route ?? ""))).to.deep.equal([]);
  });

  it("times the first audio byte of speech responses, by route and engine, and not of JSON answers", async () => {
    const before = await scrape(app);
    const wav = await get("/api/v1/tts", json({ text: "Hello there.", export_formats: ["wav"] }));
    expect(wav.headers.get("content-type")).to.equal("audio/wav");
    await wav.arrayBuffer();
    const answer = await get("/api/v1/tts?response_mode=json", json({ text: "Hello there.", export_formats: ["wav"] }));
    expect(answer.status).to.equal(200);
    await answer.json();
    const speech = await get(
      "/v1/audio/speech",
      json({ model: "piper", voice: "alloy", input: "Hi.", response_format: "wav" }),
    );
    expect(speech.status).to.equal(200);
    await speech.arrayBuffer();
    const after = await scrape(app);

    const count = (labels: Record<string, string>, samples: Sample[]) =>
      valueOf(samples, "tts_time_to_first_audio_seconds_count", labels);
    const tts = { route: "/api/v1/tts", engine: "espeak" };
    const openAi = { route: "/v1/audio/speech", engine: "piper" };
    expect(count(tts, after) - count(tts, before)).to.equal(1);
    expect(count(openAi, after) - count(openAi, before)).to.equal(1);
    expect(valueOf(after, "tts_time_to_first_audio_seconds_sum", tts)).to.be.greaterThan(0);
  });

  it("observes each finished engine call's queue wait by operation and priority, and its real-time factor", async () => {
    const voice = buildS16Wav(mono(FAKE_SAMPLE_RATE, sine({ freq: 200, seconds: 2, sampleRate: FAKE_SAMPLE_RATE })));
    await writeFile(join(app.config.paths.referenceAudio, "target.wav"), voice);
    await app.services.library.rescan();
    const before = await scrape(app);
    const file = await get("/api/v1/tts?response_mode=json", json({ text: "Hello there.", export_formats: ["wav"] }));
    expect(file.status).to.equal(200);
    await file.json();
    const progressive = await get("/api/v1/tts?response_mode=stream&progressive=true", json({ text: "Hi again." }));
    expect(progressive.status).to.equal(200);
    await progressive.arrayBuffer();
    const form = new FormData();
    form.set("input_audio", new Blob([new Uint8Array(voice)]), "take.wav");
    form.set("target_voice_source", "target.wav");
    const converted = await get("/api/v1/vc?response_mode=json", { method: "POST", body: form });
    expect(converted.status, await converted.clone().text()).to.equal(200);
    await converted.json();
    const after = await scrape(app);

    const delta = (name: string, labels: Record<string, string>) =>
      valueOf(after, name, labels) - valueOf(before, name, labels);
    const waits = [
      { operation: "synthesis", priority: "standard" },
      { operation: "synthesis", priority: "interactive" },
      { operation: "conversion", priority: "standard" },
    ];
    for (const labels of waits) {
      expect(delta("inference_queue_wait_seconds_count", labels), JSON.stringify(labels)).to.equal(1);
      expect(delta("inference_queue_wait_seconds_sum", labels)).to.be.closeTo(0.25, 1e-9);
      expect(delta("inference_queue_wait_seconds_bucket", { ...labels, le: "0.1" })).to.equal(0);
      expect(delta("inference_queue_wait_seconds_bucket", { ...labels, le: "0.25" })).to.equal(1);
    }
    // Work time over the seconds of audio the engine produced: 0.52 s of work for each.
    const synthesis = { operation: "synthesis", engine: "espeak" };
    const conversion = { operation: "conversion", engine: "espeak" };
    expect(delta("inference_real_time_factor_count", synthesis)).to.equal(2);
    const expected = 0.52 / spokenSeconds("Hello there.") + 0.52 / spokenSeconds("Hi again.");
    expect(delta("inference_real_time_factor_sum", synthesis)).to.be.closeTo(expected, 0.01);
    expect(delta("inference_real_time_factor_count", conversion)).to.equal(1);
    expect(delta("inference_real_time_factor_sum", conversion)).to.be.closeTo(0.52 / 2, 0.01);
  });

  it("counts a request whose client left before the end as 499", async () => {
    const before = await scrape(app);
    const client = new AbortController();
    const arrived = new Promise<void>((resolve) => (reached = resolve));
    const finished = new Promise<void>((resolve) => (ended = resolve));
    const request = get("/api/v1/tts", { ...json({ text: "Please wait for me." }), signal: client.signal });
    await arrived;
    client.abort();
    await request.catch(() => undefined);
    // The call ends after the response closed, which is when the request was counted.
    await finished;
    const labels = { route: "/api/v1/tts", method: "POST", status: "499" };
    expect(
      valueOf(await scrape(app), "http_requests_total", labels) - valueOf(before, "http_requests_total", labels),
    ).to.equal(1);
  });

  it("reads the ready sidecar's state, queue and engines at scrape time, beside Node's process metrics", async () => {
    const samples = await scrape(app);
    expect(valueOf(samples, "sidecar_up")).to.equal(1);
    expect(valueOf(samples, "sidecar_state", { state: "ready" })).to.equal(1);
    expect(valueOf(samples, "sidecar_state", { state: "failed" })).to.equal(0);
    expect(valueOf(samples, "sidecar_restarts_total")).to.equal(0);
    expect(valueOf(samples, "inference_queue_depth")).to.equal(0);
    expect(valueOf(samples, "inference_queue_capacity")).to.equal(4);
    const engines = samples.filter((s) => s.name === "tts_engine_loaded");
    expect(engines.map((s) => [s.labels, s.value])).to.deep.equal([
      [{ engine: "espeak", default: "true" }, 1],
      [{ engine: "piper", default: "false" }, 1],
    ]);
    expect(samples.map((s) => s.name)).to.include.members([
      "process_cpu_user_seconds_total",
      "nodejs_heap_size_used_bytes",
    ]);
  });

  it("answers /healthz and /readyz with 200 while the sidecar is ready", async () => {
    const live = await get("/healthz");
    expect(live.status).to.equal(200);
    expect(await live.json()).to.deep.equal({ status: "ok" });
    const ready = await get("/readyz");
    expect(ready.status).to.equal(200);
    expect(await ready.json()).to.deep.equal({ status: "ready", sidecar: "ready" });
  });

  describe("log lines", () => {
    let verbose: TestApp;
    const lines: Array<Record<string, unknown>> = [];
    let onLine: () => void = () => {};
    before(async () => {
      const log = pino(
        { level: "debug" },
        {
          write: (line: string) => {
            lines.push(JSON.parse(line) as Record<string, unknown>);
            onLine();
          },
        },
      );
      verbose = await startTestApp({ backend: new ScriptedEngine().backend, log });
    });
    after(() => verbose.dispose());

    /** Resolves once a line that `matches` has been logged (at once if one already was). */
    const loggedLine = (matches: (line: Record<string, unknown>) => boolean) =>
      new Promise<void>((resolve) => {
        onLine = () => {
          if (lines.some(matches)) resolve();
        };
        onLine();
      });

    // Each test's request is the only one in flight: every line logged from its start to its last is its own.
    for (const [outcome, text, status] of [
      ["spoken", "Hello there.", 200],
      ["failed in the engine", "Fail on this sentence.", 500],
    ] as const) {
      it(`names a request ${outcome} by its X-Request-ID in every line it logs, the access line included`, async () => {
        const start = lines.length;
        const response = await fetch(`${verbose.baseUrl}/api/v1/tts?response_mode=json`, json({ text }));
        expect(response.status).to.equal(status);
        await response.arrayBuffer();
        const id = response.headers.get("x-request-id");
        expect(id).to.match(/^[0-9a-f-]{36}$/);
        await loggedLine((line) => line.msg === "request" && line.reqId === id);
        const mine = lines.slice(start);
        expect(mine.map((line) => line.msg)).to.include.members(["tts: synthesizing", "request"]);
        for (const line of mine) expect(line, JSON.stringify(line)).to.include({ reqId: id });
      });
    }

    it("names a realtime session by the X-Request-ID of its upgrade's answer in every line it logs", async () => {
      const start = lines.length;
      const ws = new WebSocket(`${verbose.baseUrl.replace(/^http/, "ws")}/v1/audio/speech/ws`);
      const answered = new Promise<string>((resolve) =>
        ws.once("upgrade", (answer) => resolve(String(answer.headers["x-request-id"]))),
      );
      await new Promise((resolve) => ws.once("open", resolve));
      const id = await answered;
      expect(id).to.match(/^[0-9a-f-]{36}$/);
      ws.send(JSON.stringify({ type: "input_text.append", text: "Hello there." }));
      ws.send(JSON.stringify({ type: "input_text.end" }));
      await loggedLine((line) => line.msg === "realtime: session closed" && line.reqId === id);
      const mine = lines.slice(start);
      expect(mine.map((line) => line.msg)).to.include.members(["realtime: session opened", "tts: streaming"]);
      for (const line of mine) expect(line, JSON.stringify(line)).to.include({ reqId: id });
    });
  });

  describe("while the sidecar is not ready", () => {
    let down: TestApp;
    let snapshot: SupervisorSnapshot;
    before(async () => {
      const backend = new FakeInferenceBackend();
      const health: HealthSource = { backend, snapshot: () => snapshot };
      down = await startTestApp({ backend, health });
    });
    after(() => down.dispose());

    const notReady = (state: SupervisorSnapshot["state"], nextAttemptAt: string | null): SupervisorSnapshot => ({
      state,
      pid: null,
      address: null,
      restarts: 2,
      lastExit: { code: null, signal: "SIGKILL", at: new Date().toISOString() },
      lastStartFailure: null,
      nextAttemptAt,
      startedAt: null,
      engines: null,
      loadWarnings: [],
    });

    it("answers /readyz with 503, Retry-After until the next start attempt, and the sidecar's state", async () => {
      snapshot = notReady("restarting", new Date(Date.now() + 30_000).toISOString());
      const restarting = await fetch(`${down.baseUrl}/readyz`);
      expect(restarting.status).to.equal(503);
      expect(Number(restarting.headers.get("retry-after"))).to.be.within(29, 30);
      expect(await restarting.json()).to.deep.equal({ status: "not_ready", sidecar: "restarting" });
      snapshot = notReady("loading", null);
      const loading = await fetch(`${down.baseUrl}/readyz`);
      expect(loading.status).to.equal(503);
      expect(loading.headers.get("retry-after")).to.equal("5");
      expect(await loading.json()).to.deep.equal({ status: "not_ready", sidecar: "loading" });
      expect((await fetch(`${down.baseUrl}/healthz`)).status).to.equal(200);
    });

    it("reports it down, with its restarts, no queue capacity and no engine", async () => {
      snapshot = notReady("failed", null);
      const samples = await scrape(down);
      expect(valueOf(samples, "sidecar_up")).to.equal(0);
      expect(valueOf(samples, "sidecar_state", { state: "failed" })).to.equal(1);
      expect(valueOf(samples, "sidecar_state", { state: "ready" })).to.equal(0);
      expect(valueOf(samples, "sidecar_restarts_total")).to.equal(2);
      expect(valueOf(samples, "inference_queue_capacity")).to.equal(0);
      expect(samples.filter((s) => s.name === "tts_engine_loaded")).to.deep.equal([]);
    });
  });
});
