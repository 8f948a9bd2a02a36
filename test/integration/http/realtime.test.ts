/**
 * The realtime speech WebSocket GET /v1/audio/speech/ws against the fake engine: sessions and settings, text fed
 * word by word and spoken sentence by sentence before the flush, barge-in and disconnects aborting the engine
 * call, the session's limits, and the HTTP answers around the upgrade (X-Request-ID, the Origin check).
 */
import { mkdtemp, readFile, rm } from "node:fs/promises";
import type { IncomingMessage } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "chai";
import { execa } from "execa";
import { WebSocket } from "ws";
import { OverloadedError } from "../../../src/domain/errors.js";
import type { CallOptions, SynthesisEvent, SynthesisInput } from "../../../src/domain/inference.js";
import { PROJECT_ROOT } from "../../../src/project-root.js";
import type { UsageRecord } from "../../../src/services/usage/usage-record.js";
import { decodeAudio } from "../../helpers/audio-file.js";
import { FakeInferenceBackend, FAKE_SAMPLE_RATE } from "../../helpers/fake-inference-backend.js";
import { probeAudio } from "../../helpers/ffprobe.js";
import { RealtimeClient } from "../../helpers/realtime-client.js";
import { startTestApp, type TestApp } from "../../helpers/test-app.js";

const PARAGRAPH =
  "The storm passed over the hills at night. By morning, the river had risen, and the bridge was closed. " +
  "Farmers waited. Children watched the water from the school windows. Then, slowly, the level fell. " +
  "By evening the road was open again.";

/** Text as an LLM streams it: each word with the space before it. */
const words = (text: string): string[] => text.split(/(?=\s)/);
const nonWhitespace = (text: string): string => text.replace(/\s+/g, "");

interface Hooks {
  beforeSegment?: (call: number, index: number, signal?: AbortSignal) => Promise<void> | void;
  onCallEnd?: (call: number, error: unknown) => void;
}

/** The fake engine, keeping every sample it produced so tests can compare the audio that came back. */
class RecordingBackend extends FakeInferenceBackend {
  readonly produced: Float32Array[] = [];

  constructor(hooks: Hooks) {
    super({
      beforeSegment: (call, index, signal) => hooks.beforeSegment?.(call, index, signal),
      onCallEnd: (call, error) => hooks.onCallEnd?.(call, error),
    });
  }

  override async *synthesizeStream(input: SynthesisInput, options?: CallOptions): AsyncIterable<SynthesisEvent> {
    for await (const event of super.synthesizeStream(input, options)) {
      if (event.type === "audio") this.produced.push(event.samples);
      yield event;
    }
  }

  get samples(): number {
    return this.produced.reduce((sum, chunk) => sum + chunk.length, 0);
  }

  /** The segment texts the engine was asked to speak, in order. */
  spokenTexts(): string[] {
    return this.calls.flatMap((call) => call.segments.map((segment) => segment.text));
  }
}

/** Seconds of audio in an item's bytes: pcm (24 kHz, 16-bit) has no header to read, the other formats are decoded. */
async function durationOf(format: string, bytes: Buffer): Promise<number> {
  if (format === "pcm") return bytes.length / 2 / 24_000;
  const { samples, sampleRate } = await decodeAudio(bytes);
  return samples.length / sampleRate;
}

/** The HTTP answer to an upgrade request, with its body; `ws` is the open socket when it was a 101. */
interface UpgradeAnswer {
  status: number;
  headers: IncomingMessage["headers"];
  body: any;
  ws: WebSocket;
}

/** Asks for an upgrade of `path` and resolves with the answer, whichever it is (ws rejects only on a 101). */
function upgrade(baseUrl: string, path: string, headers: Record<string, string> = {}): Promise<UpgradeAnswer> {
  const ws = new WebSocket(`${baseUrl.replace(/^http/, "ws")}${path}`, { headers });
  return new Promise((resolve, reject) => {
    ws.once("upgrade", (response) => resolve({ status: 101, headers: response.headers, body: null, ws }));
    ws.once("unexpected-response", async (_, response) => {
      const chunks: Buffer[] = [];
      for await (const chunk of response) chunks.push(chunk as Buffer);
      const body: unknown = JSON.parse(Buffer.concat(chunks).toString("utf8"));
      resolve({ status: response.statusCode ?? 0, headers: response.headers, body, ws });
    });
    ws.once("error", reject);
  });
}

/** Resolves when `signal` aborts. */
const aborted = (signal: AbortSignal | undefined): Promise<void> =>
  new Promise((resolve) => signal?.addEventListener("abort", () => resolve(), { once: true }));

describe("GET /v1/audio/speech/ws, realtime speech (fake engine)", () => {
  let app: TestApp;
  let backend: RecordingBackend;
  let hooks: Hooks;
  const clients: RealtimeClient[] = [];

  async function start(yaml = ""): Promise<void> {
    hooks = {};
    backend = new RecordingBackend(hooks);
    app = await startTestApp({ backend, yaml });
  }

  async function connect(): Promise<RealtimeClient> {
    const client = await RealtimeClient.connect(app.baseUrl);
    clients.push(client);
    await client.next("session.created");
    return client;
  }

  /** Resolves with the usage row once the server has recorded a request of `status` (then its metrics). */
  function usageRowWritten(status: number): Promise<UsageRecord> {
    const { usage } = app.services;
    const record = usage.record.bind(usage);
    return new Promise((resolve) => {
      usage.record = (row) => {
        record(row);
        if (row.status === status) queueMicrotask(() => resolve(row));
      };
    });
  }

  async function metricsText(): Promise<string> {
    return (await fetch(`${app.baseUrl}/metrics`)).text();
  }

  afterEach(async () => {
    await Promise.all(clients.splice(0).map((client) => client.close()));
    await app?.dispose();
  });

  describe("sessions", () => {
    beforeEach(() => start());

    it("opens with session.created holding the defaults, and echoes an update in session.updated", async () => {
      const client = await RealtimeClient.connect(app.baseUrl);
      clients.push(client);
      const created = await client.next("session.created");
      expect(client.indexOf(created)).to.equal(0);
      expect(created.session).to.deep.equal({
        id: created.session.id,
        voice: null,
        response_format: "pcm",
        speed: null,
        seed: null,
        exaggeration: null,
        cfg_weight: null,
        temperature: null,
        language: null,
      });
      expect(created.session.id).to.match(/^sess_[0-9a-f]{32}$/);
      const session = {
        voice: "alloy",
        response_format: "mp3",
        speed: 1.5,
        seed: 42,
        temperature: 0.5,
        language: "en",
      };
      client.send({ type: "session.update", session });
      const updated = await client.next("session.updated");
      expect(updated.session).to.deep.include({ ...session, id: created.session.id, exaggeration: null });
      client.send({ type: "session.update", session: { speed: null } });
      expect((await client.next("session.updated")).session).to.include({ speed: null, seed: 42 });
    });

    it("refuses an invalid update with OpenAI's error object, naming the field, and keeps the settings", async () => {
      const client = await connect();
      client.send({ type: "session.update", event_id: "evt_7", session: { speed: 9, seed: 1 } });
      const error = await client.next("error");
      expect(error.error).to.deep.include({ type: "invalid_request_error", code: "validation_error", param: "speed" });
      expect(error.error.message).to.match(/speed.*between 0\.25 and 4/);
      expect(error.error.event_id).to.equal("evt_7");
      client.send({ type: "session.update", session: { color: "blue" } });
      expect((await client.next("error")).error).to.include({ code: "validation_error", param: "color" });
      client.send({ type: "session.update", session: {} });
      expect((await client.next("session.updated")).session).to.include({ speed: null, seed: null });
    });

    it("resolves the voice when it is set: an unknown one is an error event and changes nothing", async () => {
      const client = await connect();
      client.send({ type: "session.update", session: { voice: "nobody-here", speed: 2 } });
      const error = await client.next("error");
      expect(error.error).to.deep.include({
        type: "invalid_request_error",
        code: "resource_not_found",
        param: "voice",
      });
      expect(error.error.message).to.include("nobody-here");
      client.send({ type: "session.update", session: {} });
      expect((await client.next("session.updated")).session).to.include({ voice: null, speed: null });
    });

    it("answers malformed JSON, an unknown event type and a binary frame with error events, and goes on", async () => {
      const client = await connect();
      client.ws.send("{not json");
      expect((await client.next("error")).error).to.include({ type: "invalid_request_error", code: "invalid_json" });
      client.send({ type: "response.create" });
      const unknown = await client.next("error");
      expect(unknown.error).to.include({ code: "unknown_event", param: "type" });
      expect(unknown.error.message).to.include("response.create");
      client.ws.send(Buffer.from([1, 2, 3]), { binary: true });
      expect((await client.next("error")).error).to.include({ code: "binary_frame" });
      client.send({ type: "input_text.append", text: 42 });
      expect((await client.next("error")).error).to.include({ code: "validation_error", param: "text" });
      client.send({ type: "session.update", session: { seed: 3 } });
      expect((await client.next("session.updated")).session.seed).to.equal(3);
    });
  });

  describe("speaking", () => {
    beforeEach(() => start());

    it("speaks text fed word by word from its first sentence on, before the flush, as one 24 kHz pcm stream", async () => {
      const client = await connect();
      for (const word of words(PARAGRAPH)) client.send({ type: "input_text.append", text: word });
      // Waiting for audio before flushing: only sentence-boundary cutting can produce it.
      const first = await client.next("speech.audio.delta");
      client.send({ type: "input_text.flush" });
      const done = await client.next("speech.audio.done");
      expect(done.item_id).to.equal(first.item_id);
      expect(backend.calls.length, "the first sentence went to the engine alone").to.be.greaterThan(1);
      expect(backend.calls[0]!.segments.map((s) => s.text)).to.deep.equal([
        "the storm passed over the hills at night.",
      ]);
      const pcm = client.audio(done.item_id);
      expect(pcm.length).to.equal(backend.samples * 2);
      const engine = Float32Array.from(backend.produced.flatMap((chunk) => Array.from(chunk)));
      for (let i = 0; i < engine.length; i += 997) {
        expect(pcm.readInt16LE(i * 2) / 32767).to.be.closeTo(engine[i]!, 1 / 16000);
      }
      const spoken = backend.spokenTexts();
      expect(nonWhitespace(spoken.join(" "))).to.equal(nonWhitespace(PARAGRAPH.toLowerCase()));
      expect(done.usage).to.deep.equal({
        input_characters: spoken.reduce((sum, text) => sum + text.length, 0),
        output_audio_ms: Math.round((backend.samples * 1000) / FAKE_SAMPLE_RATE),
      });
      expect(done.usage.input_characters).to.be.within(nonWhitespace(PARAGRAPH).length, PARAGRAPH.length);
    });

    it("streams mp3 whose deltas join into one decodable file of the engine's duration", async () => {
      const client = await connect();
      client.send({ type: "session.update", session: { response_format: "mp3" } });
      await client.next("session.updated");
      for (const word of words(PARAGRAPH)) client.send({ type: "input_text.append", text: word });
      await client.next("speech.audio.delta");
      client.send({ type: "input_text.flush" });
      const done = await client.next("speech.audio.done");
      const mp3 = client.audio(done.item_id);
      expect(await probeAudio(mp3)).to.include({ codecName: "mp3", sampleRate: FAKE_SAMPLE_RATE, channels: 1 });
      const decoded = await decodeAudio(mp3);
      const seconds = backend.samples / FAKE_SAMPLE_RATE;
      expect(decoded.samples.length / decoded.sampleRate).to.be.closeTo(seconds, 0.1);
      expect(done.usage.output_audio_ms).to.equal(Math.round(seconds * 1000));
    });

    for (const format of ["pcm", "wav", "mp3", "opus"]) {
      it(`sends a finished sentence in ${format} at once, while the next one is still being written`, async function () {
        this.timeout(10_000);
        const client = await connect();
        client.send({ type: "session.update", session: { response_format: format } });
        await client.next("session.updated");
        client.send({ type: "input_text.append", text: "The first sentence is complete. The" });
        // No more text comes until the audio of the first sentence has arrived: no encoder may hold it back.
        await client.next("speech.audio.delta");
        client.send({ type: "input_text.append", text: " second one ends here." });
        client.send({ type: "input_text.flush" });
        const done = await client.next("speech.audio.done");
        const seconds = await durationOf(format, client.audio(done.item_id));
        expect(seconds).to.be.closeTo(backend.samples / FAKE_SAMPLE_RATE, 0.1);
      });
    }

    it("starts a new item after a flush, with the settings of that moment; end closes after the last done", async () => {
      const client = await connect();
      client.send({ type: "input_text.append", text: "The first item is short." });
      client.send({ type: "session.update", session: { speed: 2, response_format: "wav" } });
      client.send({ type: "input_text.flush" });
      client.send({ type: "input_text.append", text: "The second item is spoken faster." });
      client.send({ type: "input_text.end" });
      const one = await client.next("speech.audio.done");
      const two = await client.next("speech.audio.done");
      expect([one.item_id, two.item_id]).to.deep.equal(["item_1", "item_2"]);
      expect(backend.calls.map((call) => call.speed)).to.deep.equal([undefined, 2]);
      const wav = await probeAudio(client.audio("item_2"));
      expect(wav).to.include({ codecName: "pcm_s16le", sampleRate: FAKE_SAMPLE_RATE });
      const closed = await client.closed;
      expect(closed.code).to.equal(1000);
      expect(client.events[closed.eventsBefore - 1]).to.equal(two);
    });

    it("reports a failed synthesis as an error event of its item, and speaks the rest", async () => {
      hooks.beforeSegment = (call) => {
        if (call === 0) throw new OverloadedError("the inference queue is full", 3);
      };
      const client = await connect();
      client.send({ type: "input_text.append", text: "This sentence fails. This one is spoken." });
      client.send({ type: "input_text.flush" });
      const error = await client.next("error");
      expect(error.item_id).to.equal("item_1");
      expect(error.error).to.include({ type: "rate_limit_error", code: "overloaded" });
      const done = await client.next("speech.audio.done");
      expect(done.item_id).to.equal("item_1");
      expect(done.usage.input_characters).to.equal("this one is spoken.".length);
      client.send({ type: "input_text.append", text: "And the session goes on." });
      client.send({ type: "input_text.flush" });
      expect((await client.next("speech.audio.done")).item_id).to.equal("item_2");
    });
  });

  describe("barge-in and disconnects", () => {
    beforeEach(() => start());

    /**
     * The engine speaks the first segment it is asked for; every later one hangs (`hanging` resolves) until its
     * call is aborted (`abortedCall` resolves with the call's index).
     */
    function hangAfterFirstSegment(): { hanging: Promise<void>; abortedCall: Promise<number> } {
      let resolveHanging!: () => void;
      let resolveAborted!: (call: number) => void;
      const hanging = new Promise<void>((resolve) => (resolveHanging = resolve));
      const abortedCall = new Promise<number>((resolve) => (resolveAborted = resolve));
      let spokeOnce = false;
      hooks.beforeSegment = async (call, _index, signal) => {
        if (!spokeOnce) {
          spokeOnce = true;
          return;
        }
        const abort = aborted(signal);
        resolveHanging();
        await abort;
        resolveAborted(call);
      };
      return { hanging, abortedCall };
    }

    /** Starts an item whose first sentence is heard and whose second is being synthesized when this returns. */
    async function longItem(client: RealtimeClient, hanging: Promise<void>): Promise<string> {
      client.send({ type: "input_text.append", text: "A long answer begins here. It" });
      const first = await client.next("speech.audio.delta");
      client.send({ type: "input_text.append", text: " goes on and on. And on, and on, and on." });
      await hanging;
      return first.item_id as string;
    }

    for (const event of ["input_text.clear", "response.cancel"] as const) {
      it(`${event} aborts the engine call and drops the item's text; no audio of it follows`, async () => {
        const { hanging, abortedCall } = hangAfterFirstSegment();
        const client = await connect();
        const itemId = await longItem(client, hanging);
        client.send({ type: event });
        const answer = await client.next(event === "response.cancel" ? "response.cancelled" : "input_text.cleared");
        expect(answer.item_id).to.equal(itemId);
        expect(await abortedCall).to.equal(1);
        hooks.beforeSegment = undefined;
        client.send({ type: "input_text.append", text: "A new answer." });
        client.send({ type: "input_text.flush" });
        const done = await client.next("speech.audio.done");
        expect(done.item_id).to.not.equal(itemId);
        expect(client.audio(done.item_id).length).to.be.greaterThan(0);
        const after = client.events.slice(client.indexOf(answer) + 1);
        expect(after.filter((e) => e.item_id === itemId)).to.deep.equal([]);
        expect(client.types().filter((type) => type === "speech.audio.done")).to.have.length(1);
        // The text still buffered when the client barged in is never spoken.
        expect(backend.calls.at(-1)!.segments.map((s) => s.text)).to.deep.equal(["a new answer."]);
        expect(backend.calls).to.have.length(3);
      });
    }

    it("aborts the engine call when the client disconnects mid-item", async () => {
      const { hanging, abortedCall } = hangAfterFirstSegment();
      const client = await connect();
      await longItem(client, hanging);
      client.ws.terminate();
      expect(await abortedCall).to.equal(1);
    });
  });

  describe("limits", () => {
    it("closes a session that stays silent past the idle timeout, with an error event first", async () => {
      await start("openai:\n  realtime_idle_timeout_seconds: 1\n");
      const client = await connect();
      const error = await client.next("error");
      expect(error.error).to.include({ type: "invalid_request_error", code: "idle_timeout" });
      expect(error.error.message).to.include("realtime_idle_timeout_seconds");
      const closed = await client.closed;
      expect(closed.code).to.equal(1000);
      expect(client.events[closed.eventsBefore - 1]).to.equal(error);
    });

    it("refuses text past the pending limit without buffering it", async () => {
      await start("openai:\n  realtime_max_pending_chars: 60\n");
      const client = await connect();
      const kept = "This text waits in the buffer with no sentence end";
      client.send({ type: "input_text.append", text: kept });
      client.send({ type: "input_text.append", event_id: "evt_big", text: " and this is too much for it." });
      const error = await client.next("error");
      expect(error.error).to.include({ code: "pending_text_limit", param: "text", event_id: "evt_big" });
      expect(error.error.message).to.include("realtime_max_pending_chars");
      client.send({ type: "input_text.flush" });
      await client.next("speech.audio.done");
      expect(backend.spokenTexts()).to.deep.equal([kept.toLowerCase()]);
    });
  });

  describe("HTTP around the upgrade", () => {
    beforeEach(() => start());

    it("answers a plain GET with 426 and OpenAI's error body", async () => {
      const response = await fetch(`${app.baseUrl}/v1/audio/speech/ws`);
      expect(response.status).to.equal(426);
      expect(response.headers.get("upgrade")).to.equal("websocket");
      const body = (await response.json()) as any;
      expect(body.error).to.deep.include({ type: "invalid_request_error", code: "upgrade_required", param: null });
      expect(body.error.message).to.include("WebSocket");
    });

    it("refuses an upgrade on any other path with a 404, OpenAI's error body and an X-Request-ID in its row", async () => {
      const row = usageRowWritten(404);
      const { status, headers, body } = await upgrade(app.baseUrl, "/v1/audio/speech/socket");
      expect(status).to.equal(404);
      expect(body.error).to.include({ code: "resource_not_found" });
      const requestId = headers["x-request-id"];
      expect(requestId).to.match(/^[0-9a-f-]{36}$/, "a new id: the client sent none");
      expect((await row).requestId).to.equal(requestId);
      expect(await metricsText()).to.include('http_requests_total{route="unmatched",method="GET",status="404"} 1');
    });

    it("answers the 101 with the client's X-Request-ID, which the session's usage row carries", async () => {
      const row = usageRowWritten(101);
      const { status, headers, ws } = await upgrade(app.baseUrl, "/v1/audio/speech/ws", {
        "X-Request-ID": "agent-turn-42",
      });
      expect(status).to.equal(101);
      expect(headers["x-request-id"]).to.equal("agent-turn-42");
      ws.close();
      expect((await row).requestId).to.equal("agent-turn-42");
      // An id that could forge log lines is replaced, as on HTTP routes.
      const replaced = await upgrade(app.baseUrl, "/v1/audio/speech/ws", { "X-Request-ID": "bad id\twith spaces" });
      expect(replaced.headers["x-request-id"]).to.match(/^[0-9a-f-]{36}$/);
      replaced.ws.close();
    });

    it("joins the caller's trace and counts the session in /metrics: open while it lasts, then a 101 request", async () => {
      const traceId = "4bf92f3577b34da6a3ce929d0e0e4736";
      const incoming = `00-${traceId}-00f067aa0ba902b7-01`;
      const sessionRow = usageRowWritten(101);
      const client = await RealtimeClient.connect(app.baseUrl, undefined, { traceparent: incoming });
      clients.push(client);
      await client.next("session.created");
      expect(await metricsText()).to.match(/^realtime_sessions_open 1$/m);
      client.send({ type: "input_text.append", text: "One sentence to speak." });
      client.send({ type: "input_text.end" });
      await client.next("speech.audio.done");
      await client.closed;
      const sent = backend.callOptions[0]?.traceparent ?? "";
      expect(sent).to.match(new RegExp(`^00-${traceId}-[0-9a-f]{16}-01$`));
      expect(sent).to.not.equal(incoming, "the session is a span of its own, not the caller's");
      await sessionRow;
      const metrics = await metricsText();
      expect(metrics).to.include('http_requests_total{route="/v1/audio/speech/ws",method="GET",status="101"} 1');
      expect(metrics).to.match(/^realtime_sessions_open 0$/m);
      expect(metrics).to.include(
        'tts_time_to_first_audio_seconds_count{route="/v1/audio/speech/ws",engine="espeak"} 1',
      );
    });
  });

  describe("upgrades from web pages (server.cors_origins lists one origin)", () => {
    const STUDIO = "https://studio.example.com";
    beforeEach(() => start(`server:\n  cors_origins: ["${STUDIO}"]\n`));

    it("refuses a page of another origin with 403 in OpenAI's error body, and starts no session", async () => {
      const row = usageRowWritten(403);
      const { status, headers, body } = await upgrade(app.baseUrl, "/v1/audio/speech/ws", {
        Origin: "https://evil.example.com",
        "X-Request-ID": "from-evil",
      });
      expect(status).to.equal(403);
      expect(headers["x-request-id"]).to.equal("from-evil");
      expect(body.error).to.include({ type: "permission_error", code: "permission_denied" });
      expect(body.error.message).to.include("https://evil.example.com");
      expect(await row).to.include({ requestId: "from-evil", errorCode: "PERMISSION_DENIED" });
      const metrics = await metricsText();
      expect(metrics).to.match(/^realtime_sessions_open 0$/m);
      expect(metrics).to.not.include('status="101"');
    });

    it("opens a session for the server's own pages and for the origin cors_origins allows", async () => {
      for (const origin of [app.baseUrl, STUDIO]) {
        const client = await RealtimeClient.connect(app.baseUrl, undefined, { Origin: origin });
        clients.push(client);
        await client.next("session.created");
        client.send({ type: "input_text.append", text: "Spoken for a trusted page." });
        client.send({ type: "input_text.end" });
        await client.next("speech.audio.done");
      }
      expect(backend.calls).to.have.length(2);
    });
  });

  describe("docs/examples/realtime-client.mjs", () => {
    beforeEach(() => start());

    it("is shown in docs/api/realtime.md as it is", async () => {
      const page = await readFile(join(PROJECT_ROOT, "docs/api/realtime.md"), "utf8");
      const shown = /```js\n([\s\S]*?)```/.exec(page)?.[1];
      expect(shown).to.equal(await readFile(join(PROJECT_ROOT, "docs/examples/realtime-client.mjs"), "utf8"));
    });

    it("runs against the server and writes the pcm of the whole text", async () => {
      const dir = await mkdtemp(join(tmpdir(), "realtime-example-"));
      try {
        const out = join(dir, "speech.pcm");
        const url = `${app.baseUrl.replace(/^http/, "ws")}/v1/audio/speech/ws`;
        const args = ["--url", url, "--out", out, "--word-delay-ms", "0", "--text", PARAGRAPH];
        const run = await execa("node", [join(PROJECT_ROOT, "docs/examples/realtime-client.mjs"), ...args], {
          reject: false,
        });
        expect(run.exitCode, `${run.stdout}\n${run.stderr}`).to.equal(0);
        expect(run.stdout).to.match(/first audio/);
        expect(run.stdout).to.match(/item_1 done: \d+ characters/);
        expect((await readFile(out)).length).to.equal(backend.samples * 2);
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    });
  });
});
