/**
 * Usage accounting through HTTP and the realtime WebSocket (fake engine, API keys on): exactly one row per
 * request whether it succeeds, fails, is abandoned by its client, or is a session that closes; the figures
 * in a row are the request's; GET /api/v1/usage totals, groups and exports them, each key seeing its own.
 * The audit log (GET /api/v1/audit) records each bulk delete and real cleanup once, with its key and counts.
 */
import { mkdir, readdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { expect } from "chai";
import WebSocket from "ws";
import type { UsageRecord } from "../../../src/services/usage/usage-record.js";
import { FakeInferenceBackend } from "../../helpers/fake-inference-backend.js";
import { startTestApp, type TestApp } from "../../helpers/test-app.js";
import { buildS16Wav, mono, sine } from "../../helpers/wav-builder.js";

const PRICES = "usage:\n  price_per_1k_input_chars: 15\n  price_per_output_audio_minute: 0.5\n";

describe("usage accounting (fake engine)", () => {
  let app: TestApp;
  let hold: Promise<void> | undefined;
  const rows: UsageRecord[] = [];
  let onRow: (() => void) | undefined;
  let admin: string;
  let narrator: { id: string; secret: string };

  before(async () => {
    const backend = new FakeInferenceBackend({ beforeSegment: (_call, index) => (index > 0 ? hold : undefined) });
    app = await startTestApp({ backend, yaml: `auth:\n  enabled: true\n${PRICES}` });
    // Every row the server writes is also seen here, so tests wait for rows instead of sleeping.
    const record = app.services.usage.record.bind(app.services.usage);
    app.services.usage.record = (row) => {
      record(row);
      rows.push(row);
      onRow?.();
    };
    admin = app.services.keys.create({ name: "admin", scopes: ["admin"] }, "test").secret;
    const created = app.services.keys.create({ name: "narrator", scopes: ["tts", "realtime"] }, "test");
    narrator = { id: created.key.id, secret: created.secret };
  });
  after(() => app.dispose());

  /** Resolves with the rows written from now on, once there are `count` of them. */
  const nextRows = (count: number) => {
    const start = rows.length;
    return new Promise<UsageRecord[]>((resolve) => {
      onRow = () => {
        if (rows.length - start >= count) resolve(rows.slice(start));
      };
    });
  };
  const post = (path: string, body: object, secret = narrator.secret, signal?: AbortSignal) =>
    fetch(`${app.baseUrl}${path}`, {
      method: "POST",
      headers: { Authorization: `Bearer ${secret}`, "Content-Type": "application/json" },
      body: JSON.stringify(body),
      ...(signal ? { signal } : {}),
    });

  it("writes one row for a success, with its engine, characters, audio, bytes and cost", async () => {
    const written = nextRows(1);
    const response = await post("/v1/audio/speech", {
      model: "tts-1",
      voice: "alloy",
      input: "Counted.",
      response_format: "pcm",
    });
    const body = Buffer.from(await response.arrayBuffer());
    const [row] = await written;
    expect(row).to.deep.include({
      keyId: narrator.id,
      endpoint: "POST /v1/audio/speech",
      status: 200,
      errorCode: null,
      engine: "espeak",
      voice: "alloy",
      format: "pcm",
      streamMode: "audio",
      inputChars: 8,
      bytesOut: body.length,
    });
    // pcm is 16-bit at 24 kHz: the row's audio is what was sent.
    expect(row!.outputAudioMs).to.be.closeTo(body.length / 2 / 24, 1);
    expect(row!.ttfbMs).to.be.a("number").and.at.most(row!.durationMs);
    expect(rows.length).to.equal(rows.indexOf(row!) + 1);
  });

  it("writes one row for a refusal and for a failure, with the status and code the client got", async () => {
    const written = nextRows(2);
    await post("/api/v1/tts", { text: "No key." }, "cbx-wrong");
    await post("/api/v1/tts", { text: "" });
    const [refused, invalid] = await written;
    expect(refused).to.include({
      endpoint: "POST /api/v1/tts",
      status: 401,
      errorCode: "INVALID_API_KEY",
      keyId: null,
    });
    expect(invalid).to.include({ endpoint: "POST /api/v1/tts", status: 422, errorCode: "VALIDATION_ERROR" });
    expect(invalid!.keyId).to.equal(narrator.id);
  });

  it("writes one row with status 499 when the client leaves in the middle of a stream", async () => {
    let release!: () => void;
    hold = new Promise<void>((resolve) => (release = resolve));
    const written = nextRows(1);
    const abort = new AbortController();
    // Sentences too long to be batched together: three segments, the second held back until the client left.
    const sentence = "This sentence goes on for long enough that the engine has to speak it in a segment of its own. ";
    const text = sentence.repeat(3).trim();
    const response = await post(
      "/api/v1/tts?response_mode=stream&progressive=true&return_format=wav",
      { text },
      undefined,
      abort.signal,
    );
    await response.body!.getReader().read();
    abort.abort();
    const [row] = await written;
    release();
    hold = undefined;
    expect(row).to.include({ endpoint: "POST /api/v1/tts", status: 499, streamMode: "progressive", engine: "espeak" });
    expect(row!.bytesOut).to.be.greaterThan(0);
  });

  it("writes one row per realtime session when it closes, and one for a refused upgrade", async () => {
    const url = `${app.baseUrl.replace(/^http/, "ws")}/v1/audio/speech/ws`;
    const written = nextRows(2);
    const refused = new WebSocket(url);
    refused.on("error", () => undefined);
    const ws = new WebSocket(url, { headers: { Authorization: `Bearer ${narrator.secret}` } });
    await new Promise((resolve) => ws.once("open", resolve));
    ws.send(JSON.stringify({ type: "input_text.append", text: "Hello there." }));
    ws.send(JSON.stringify({ type: "input_text.end" }));
    await new Promise((resolve) => ws.once("close", resolve));
    const byStatus = new Map((await written).map((row) => [row.status, row]));
    expect(byStatus.get(401)).to.include({ endpoint: "WS /v1/audio/speech/ws", errorCode: "INVALID_API_KEY" });
    expect(byStatus.get(101)).to.include({ endpoint: "WS /v1/audio/speech/ws", keyId: narrator.id, inputChars: 12 });
    expect(byStatus.get(101)!.outputAudioMs).to.be.greaterThan(0);
  });

  it("answers GET /api/v1/usage with totals, groups and CSV; a key without admin sees only its own rows", async () => {
    const get = (query: string, secret: string) =>
      fetch(`${app.baseUrl}/api/v1/usage${query}`, { headers: { Authorization: `Bearer ${secret}` } });
    const all = (await (await get("?group_by=endpoint&limit=1000", admin)).json()) as Record<string, any>;
    expect(all.currency).to.equal("USD");
    expect(all.totals.requests).to.equal(all.rows.length);
    const speech = all.groups.find((group: { group: string }) => group.group === "POST /v1/audio/speech");
    const speechRow = rows.find((row) => row.endpoint === "POST /v1/audio/speech")!;
    const cost = (8 / 1000) * 15 + (speechRow.outputAudioMs / 60_000) * 0.5;
    expect(speech).to.include({ requests: 1, errors: 0, input_chars: 8 });
    expect(speech.cost).to.be.closeTo(cost, 1e-6);
    const own = (await (await get("", narrator.secret)).json()) as { rows: Array<{ key_id: string }> };
    expect(own.rows.length).to.be.greaterThan(0);
    expect(own.rows.every((row) => row.key_id === narrator.id)).to.equal(true);
    expect((await get(`?key_id=someone-else`, narrator.secret)).status).to.equal(403);
    const csv = await get("?format=csv&endpoint=POST%20/v1/audio/speech", admin);
    expect(csv.headers.get("content-type")).to.match(/^text\/csv/);
    const lines = (await csv.text()).trim().split("\r\n");
    expect(lines[0]).to.match(/^at,request_id,key_id,endpoint,status,/);
    expect(lines).to.have.length(2);
    expect(lines[1]).to.include(",POST /v1/audio/speech,200,");
    const charted = (await (await get("?bucket=minute&group_by=engine", admin)).json()) as Record<string, any>;
    const bucketed = charted.buckets as Array<{ start: string; group: string; requests: number }>;
    expect(bucketed.every((found) => /^\d{4}-\d\d-\d\dT\d\d:\d\d:00Z$/.test(found.start))).to.equal(true);
    expect(bucketed.reduce((sum, found) => sum + found.requests, 0)).to.equal(charted.totals.requests);
    expect(bucketed.map((found) => found.group)).to.include(speechRow.engine);
    expect((await get("?format=csv&bucket=hour", admin)).status).to.equal(422);
    const grouped = await get("?format=csv&group_by=day", admin);
    expect(grouped.status).to.equal(422);
    expect(((await grouped.json()) as { detail: Array<{ loc: string[] }> }).detail[0]!.loc).to.deep.equal([
      "query",
      "group_by",
    ]);
  });

  it("audits a bulk delete once, with its key, criteria and count, and a real cleanup but not a dry one", async () => {
    const janitor = app.services.keys.create({ name: "janitor", scopes: ["admin"] }, "test");
    const auth = { Authorization: `Bearer ${janitor.secret}` };
    const folder = join(app.config.paths.outputs, "drafts");
    await mkdir(folder, { recursive: true });
    const wav = buildS16Wav(mono(8000, sine({ freq: 300, seconds: 0.2, sampleRate: 8000 })));
    for (const name of ["one.wav", "two.wav", "kept.wav"]) await writeFile(join(folder, name), wav);
    await app.services.library.rescan();
    const deleted = await fetch(`${app.baseUrl}/api/v1/outputs?confirm=true&project=drafts&filenames=one.wav,two.wav`, {
      method: "DELETE",
      headers: auth,
    });
    expect(deleted.status).to.equal(200);
    expect(await readdir(folder)).to.deep.equal(["kept.wav"]);
    const cleanup = (body?: object) =>
      fetch(`${app.baseUrl}/api/v1/cleanup`, {
        method: "POST",
        headers: body ? { ...auth, "Content-Type": "application/json" } : auth,
        ...(body ? { body: JSON.stringify(body) } : {}),
      });
    expect((await cleanup({ dry_run: true })).status).to.equal(200);
    expect((await cleanup()).status).to.equal(200);

    const audit = await fetch(`${app.baseUrl}/api/v1/audit?limit=3`, { headers: auth });
    const { entries } = (await audit.json()) as { entries: Array<Record<string, any>> };
    expect(entries.map((entry) => [entry.action, entry.actor])).to.deep.equal([
      ["maintenance.cleanup", janitor.key.id],
      ["library.bulk_delete", janitor.key.id],
      ["key.create", "test"],
    ]);
    expect(entries[1]).to.deep.include({
      target: "outputs",
      detail: {
        criteria: { folder: "drafts", filenames: ["one.wav", "two.wav"] },
        deleted_count: 2,
        folders_removed: 0,
        complete: true,
      },
    });
    expect(entries[0]!.detail).to.include({ files_removed: 0, errors: 0 });
  });
});
