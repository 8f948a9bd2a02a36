/**
 * Exactly one usage row per request, however it ends (fake engine, API keys on): answered, refused, invalid,
 * failed in the engine (before the status was sent, or in the middle of a stream), left by its client in the
 * middle of a stream (progressive WAV, OpenAI audio bytes and OpenAI events), and, for the realtime WebSocket, a refused upgrade and a session closed by the server after
 * `input_text.end`, cut off by its client mid-speech, or closed after a barge-in. Each request carries its own
 * X-Request-ID; its rows are counted in the database only after a later request's row was written (UsageWatch),
 * so a second row written on another path that ends the request would be counted.
 */
import { expect } from "chai";
import { RealtimeClient } from "../../helpers/realtime-client.js";
import { rejection } from "../../helpers/rejection.js";
import { ScriptedEngine } from "../../helpers/scripted-engine.js";
import { startTestApp, type TestApp } from "../../helpers/test-app.js";
import { UsageWatch } from "../../helpers/usage-watch.js";

const PRICES = { per1kInputChars: 15, perOutputAudioMinute: 0.5 };
const PRICE_YAML = `usage:\n  price_per_1k_input_chars: ${PRICES.per1kInputChars}\n  price_per_output_audio_minute: ${PRICES.perOutputAudioMinute}\n`;
/** Long enough that the engine speaks it as a segment of its own. */
const SENTENCE = "This sentence goes on for long enough that the engine has to speak it in a segment of its own.";
/** Speech whose second segment holds its engine call until the client has left (see ScriptedEngine). */
const HELD_TEXT = `${SENTENCE} Wait: ${SENTENCE}`;

describe("exactly one usage row per request (fake engine, API keys on)", () => {
  let app: TestApp;
  let engine: ScriptedEngine;
  let usage: UsageWatch;
  let narrator: { id: string; secret: string };

  before(async () => {
    engine = new ScriptedEngine();
    app = await startTestApp({ backend: engine.backend, yaml: `auth:\n  enabled: true\n${PRICE_YAML}` });
    usage = new UsageWatch(app);
    const created = app.services.keys.create({ name: "narrator", scopes: ["tts", "realtime"] }, "test");
    narrator = { id: created.key.id, secret: created.secret };
  });
  after(() => app.dispose());

  describe("HTTP", () => {
    const post = (path: string, body: object, id: string, options: { secret?: string; signal?: AbortSignal } = {}) =>
      fetch(`${app.baseUrl}${path}`, {
        method: "POST",
        headers: {
          Authorization: `Bearer ${options.secret ?? narrator.secret}`,
          "Content-Type": "application/json",
          "X-Request-ID": id,
        },
        body: JSON.stringify(body),
        ...(options.signal ? { signal: options.signal } : {}),
      });

    /**
     * Starts a speech stream whose engine call holds at its second segment, reads the first bytes, leaves, and
     * waits until the engine call has ended; returns how many bytes the client had read.
     */
    async function leaveMidStream(path: string, body: object, id: string): Promise<number> {
      const client = new AbortController();
      const held = engine.nextHeld();
      const response = await post(path, body, id, { signal: client.signal });
      expect(response.status).to.equal(200);
      const first = await response.body!.getReader().read();
      const call = await held;
      client.abort();
      await engine.ended(call);
      return first.value!.length;
    }

    it("a success: one row with its engine, characters, audio, bytes and its cost by the price table", async () => {
      const response = await post(
        "/v1/audio/speech",
        { model: "tts-1", voice: "alloy", input: "Counted.", response_format: "pcm" },
        "success",
      );
      expect(response.status).to.equal(200);
      const body = Buffer.from(await response.arrayBuffer());
      const row = await usage.onlyRow("success");
      expect(row).to.include({
        key_id: narrator.id,
        endpoint: "POST /v1/audio/speech",
        status: 200,
        error_code: null,
        engine: "espeak",
        voice: "alloy",
        format: "pcm",
        stream_mode: "audio",
        input_chars: 8,
        bytes_out: body.length,
      });
      // pcm is 16-bit at 24 kHz: the row's audio is what was sent.
      const audioMs = body.length / 2 / 24;
      expect(row.output_audio_ms).to.be.closeTo(audioMs, 1);
      expect(row.ttfb_ms).to.be.a("number").and.at.most(Number(row.duration_ms));
      const cost = (8 / 1000) * PRICES.per1kInputChars + (audioMs / 60_000) * PRICES.perOutputAudioMinute;
      expect(row.cost).to.be.greaterThan(0.12).and.closeTo(cost, 1e-5);
    });

    it("a refusal (401) and an invalid request (422): one row each, with the status and code the client got", async () => {
      expect((await post("/api/v1/tts", { text: "No key." }, "refused", { secret: "cbx-wrong" })).status).to.equal(401);
      expect((await post("/api/v1/tts", { text: "" }, "invalid")).status).to.equal(422);
      expect(await usage.onlyRow("refused")).to.include({
        endpoint: "POST /api/v1/tts",
        status: 401,
        error_code: "INVALID_API_KEY",
        key_id: null,
        cost: 0,
      });
      expect(await usage.onlyRow("invalid")).to.include({
        endpoint: "POST /api/v1/tts",
        status: 422,
        error_code: "VALIDATION_ERROR",
        key_id: narrator.id,
        cost: 0,
      });
    });

    it("a failure in the engine (500): one row, with the code the client got and no cost", async () => {
      const response = await post("/api/v1/tts", { text: "Fail on this sentence." }, "engine-failed");
      expect(response.status).to.equal(500);
      expect(await response.json()).to.include({ error_code: "INFERENCE_FAILED" });
      expect(await usage.onlyRow("engine-failed")).to.include({
        endpoint: "POST /api/v1/tts",
        status: 500,
        error_code: "INFERENCE_FAILED",
        key_id: narrator.id,
        input_chars: 22,
        cost: 0,
      });
    });

    for (const streamFormat of ["audio", "sse"]) {
      it(`a /v1/audio/speech stream (stream_format ${streamFormat}) the engine failed mid-way: one row, 500`, async () => {
        const id = `failed-late-${streamFormat}`;
        // pcm: the first segment's bytes go out at once, so the failure of the second comes after the status.
        const input = `${SENTENCE} Fail: ${SENTENCE}`;
        const body = { model: "tts-1", voice: "alloy", input, response_format: "pcm", stream_format: streamFormat };
        const response = await post("/v1/audio/speech", body, id);
        expect(response.status).to.equal(200);
        const received = await response.text().then(
          (text) => text,
          () => "broken off",
        );
        if (streamFormat === "sse") expect(received).to.include('"type":"error"');
        else expect(received).to.equal("broken off");
        expect(await usage.onlyRow(id)).to.include({
          endpoint: "POST /v1/audio/speech",
          status: 500,
          error_code: "INFERENCE_FAILED",
          stream_mode: streamFormat,
          cost: 0,
        });
      });
    }

    it("a progressive /api/v1/tts stream the client left: one row, 499, with the bytes it was sent", async () => {
      const path = "/api/v1/tts?response_mode=stream&progressive=true&return_format=wav";
      const read = await leaveMidStream(path, { text: HELD_TEXT }, "left-progressive");
      const row = await usage.onlyRow("left-progressive");
      expect(row).to.include({ status: 499, stream_mode: "progressive", engine: "espeak", cost: 0 });
      expect(row.bytes_out).to.be.at.least(read);
    });

    for (const streamFormat of ["audio", "sse"]) {
      it(`a /v1/audio/speech stream (stream_format ${streamFormat}) the client left: one row, 499`, async () => {
        const id = `left-${streamFormat}`;
        const body = { model: "tts-1", voice: "alloy", input: HELD_TEXT, stream_format: streamFormat };
        const read = await leaveMidStream("/v1/audio/speech", body, id);
        const row = await usage.onlyRow(id);
        expect(row).to.include({
          endpoint: "POST /v1/audio/speech",
          status: 499,
          stream_mode: streamFormat,
          input_chars: HELD_TEXT.length,
          cost: 0,
        });
        expect(row.bytes_out).to.be.at.least(read);
        // What was produced before the client left: the first segment.
        expect(row.output_audio_ms).to.be.greaterThan(0);
      });
    }
  });

  describe("the realtime WebSocket", () => {
    const connect = (id: string, secret = narrator.secret) =>
      RealtimeClient.connect(app.baseUrl, undefined, { Authorization: `Bearer ${secret}`, "X-Request-ID": id });

    it("a refused upgrade (401): one row", async () => {
      const refused = await rejection<Error>(connect("ws-refused", "cbx-wrong"));
      expect(refused.message).to.include("401");
      expect(await usage.onlyRow("ws-refused")).to.include({
        endpoint: "WS /v1/audio/speech/ws",
        status: 401,
        error_code: "INVALID_API_KEY",
      });
    });

    it("a session the server closes after input_text.end: one row (101) with what it spoke", async () => {
      const client = await connect("ws-ended");
      client.send({ type: "input_text.append", text: "Hello there." });
      client.send({ type: "input_text.end" });
      expect((await client.closed).code).to.equal(1000);
      const row = await usage.onlyRow("ws-ended");
      expect(row).to.include({
        endpoint: "WS /v1/audio/speech/ws",
        status: 101,
        key_id: narrator.id,
        input_chars: 12,
        bytes_out: client.audio("item_1").length,
      });
      expect(row.output_audio_ms).to.be.greaterThan(0);
      expect(row.cost).to.be.greaterThan(0);
    });

    it("a session its client cuts off in the middle of speech: one row (101), once the engine call ended", async () => {
      const client = await connect("ws-terminated");
      const held = engine.nextHeld();
      client.send({ type: "input_text.append", text: `${HELD_TEXT} ` });
      client.send({ type: "input_text.flush" });
      await client.next("speech.audio.delta");
      const call = await held;
      client.ws.terminate();
      await client.closed;
      await engine.ended(call);
      const row = await usage.onlyRow("ws-terminated");
      expect(row).to.include({ endpoint: "WS /v1/audio/speech/ws", status: 101, key_id: narrator.id });
      expect(row.bytes_out).to.be.at.least(client.audio("item_1").length).and.greaterThan(0);
    });

    it("a session closed after a barge-in (response.cancel): one row (101) counting the item it finished", async () => {
      const client = await connect("ws-barge-in");
      client.send({ type: "input_text.append", text: "Hello there." });
      client.send({ type: "input_text.flush" });
      await client.next("speech.audio.done", (event) => event.item_id === "item_1");
      const held = engine.nextHeld();
      client.send({ type: "input_text.append", text: `${HELD_TEXT} ` });
      client.send({ type: "input_text.flush" });
      await client.next("speech.audio.delta", (event) => event.item_id === "item_2");
      const call = await held;
      client.send({ type: "response.cancel" });
      await client.next("response.cancelled");
      await engine.ended(call);
      await client.close();
      const row = await usage.onlyRow("ws-barge-in");
      expect(row).to.include({
        endpoint: "WS /v1/audio/speech/ws",
        status: 101,
        input_chars: 12,
        bytes_out: client.audio("item_1").length + client.audio("item_2").length,
      });
    });
  });
});
