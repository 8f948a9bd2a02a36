/**
 * GET /api/v1/usage through HTTP (fake engine, API keys on): the rows the server wrote, totalled, grouped,
 * bucketed and exported, each key seeing its own (usage-rows.test.ts shows there is exactly one row per
 * request). The audit log (GET /api/v1/audit) records each bulk delete and real cleanup once, with its key
 * and counts.
 */
import { mkdir, readdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { expect } from "chai";
import { FakeInferenceBackend } from "../../helpers/fake-inference-backend.js";
import { startTestApp, type TestApp } from "../../helpers/test-app.js";
import { UsageWatch } from "../../helpers/usage-watch.js";
import { buildS16Wav, mono, sine } from "../../helpers/wav-builder.js";

const PRICES = "usage:\n  price_per_1k_input_chars: 15\n  price_per_output_audio_minute: 0.5\n";

describe("usage reports and the audit log (fake engine)", () => {
  let app: TestApp;
  let usage: UsageWatch;
  let admin: string;
  let narrator: { id: string; secret: string };

  before(async () => {
    app = await startTestApp({ backend: new FakeInferenceBackend(), yaml: `auth:\n  enabled: true\n${PRICES}` });
    usage = new UsageWatch(app);
    admin = app.services.keys.create({ name: "admin", scopes: ["admin"] }, "test").secret;
    const created = app.services.keys.create({ name: "narrator", scopes: ["tts", "realtime"] }, "test");
    narrator = { id: created.key.id, secret: created.secret };
    // The rows the reports below are made of: a speech request of the narrator's, and a refused one.
    const post = (path: string, secret: string, id: string, body: object) =>
      fetch(`${app.baseUrl}${path}`, {
        method: "POST",
        headers: { Authorization: `Bearer ${secret}`, "Content-Type": "application/json", "X-Request-ID": id },
        body: JSON.stringify(body),
      }).then((response) => response.arrayBuffer());
    const speech = { model: "tts-1", voice: "alloy", input: "Counted.", response_format: "pcm" };
    await post("/v1/audio/speech", narrator.secret, "spoken", speech);
    await post("/api/v1/tts", "cbx-wrong", "refused", { text: "No key." });
    await Promise.all([usage.rowOf("spoken"), usage.rowOf("refused")]);
  });
  after(() => app.dispose());

  it("answers GET /api/v1/usage with totals, groups and CSV; a key without admin sees only its own rows", async () => {
    const get = (query: string, secret: string) =>
      fetch(`${app.baseUrl}/api/v1/usage${query}`, { headers: { Authorization: `Bearer ${secret}` } });
    const all = (await (await get("?group_by=endpoint&limit=1000", admin)).json()) as Record<string, any>;
    expect(all.currency).to.equal("USD");
    expect(all.totals.requests).to.equal(all.rows.length);
    const speech = all.groups.find((group: { group: string }) => group.group === "POST /v1/audio/speech");
    const speechRow = await usage.rowOf("spoken");
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
