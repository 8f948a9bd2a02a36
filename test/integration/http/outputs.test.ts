/**
 * The outputs library through HTTP (fake engine): listing filters (dates, generation type, file names),
 * every sort key in both orders, one file's metadata, and bulk deletes by name and by generation type.
 * Files are written into outputs/ with companions of known creation dates, as a restored backup would hold
 * them: listings show and filter by the companion's date, not by when the file landed on this disk.
 */
import { access, mkdir, readdir, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { expect } from "chai";
import { FakeInferenceBackend } from "../../helpers/fake-inference-backend.js";
import { startTestApp, type TestApp } from "../../helpers/test-app.js";
import { buildS16Wav, mono, sine } from "../../helpers/wav-builder.js";

type Json = Record<string, any>;

/**
 * Three outputs whose orders differ by every sort key: by date tts < vc < concat, by file name concat < tts
 * < vc, by duration vc < concat < tts, and by size vc < tts < concat (the 2 s file is at 8 kHz).
 */
const FILES = [
  {
    path: "tts_old.wav",
    seconds: 2,
    rate: 8_000,
    companion: { type: "tts", created_at: "2024-01-10T12:00:00.000Z", parameters: { text: "Once upon a time." } },
  },
  {
    path: "book/vc_mid.wav",
    seconds: 0.5,
    rate: 24_000,
    companion: { type: "vc", created_at: "2024-06-15T12:00:00.000Z", parameters: { pitch_shift: 2 } },
  },
  {
    path: "concat_new.wav",
    seconds: 1,
    rate: 24_000,
    companion: { type: "concat", created_at: "2025-03-01T12:00:00.000Z", parameters: { files: ["a.wav"] } },
  },
];

describe("outputs library through HTTP (fake engine)", function () {
  this.timeout(20_000);
  let app: TestApp;

  beforeEach(async () => {
    app = await startTestApp({ backend: new FakeInferenceBackend() });
    for (const file of FILES) {
      const absolute = join(app.config.paths.outputs, file.path);
      await mkdir(dirname(absolute), { recursive: true });
      await writeFile(
        absolute,
        buildS16Wav(mono(file.rate, sine({ freq: 300, seconds: file.seconds, sampleRate: file.rate }))),
      );
      await writeFile(`${absolute}.json`, JSON.stringify(file.companion));
    }
    await app.services.library.rescan();
  });
  afterEach(() => app.dispose());

  const api = (path: string, init?: RequestInit) => fetch(`${app.baseUrl}/api/v1${path}`, init);
  async function listed(query: string): Promise<string[]> {
    const response = await api(`/outputs?${query}`);
    expect(response.status, await response.clone().text()).to.equal(200);
    return ((await response.json()) as Json).files.map((file: Json) => file.filename);
  }

  it("lists newest first by the companions' dates, and shows each file's date, type and parameters", async () => {
    const response = await api("/outputs");
    const body = (await response.json()) as Json;
    expect(body).to.include({ count: 3, total_files: 3 });
    expect(body.files.map((file: Json) => [file.filename, file.created_date, file.generation_type])).to.deep.equal([
      ["concat_new.wav", "2025-03-01T12:00:00.000Z", "concat"],
      ["vc_mid.wav", "2024-06-15T12:00:00.000Z", "vc"],
      ["tts_old.wav", "2024-01-10T12:00:00.000Z", "tts"],
    ]);
    expect(body.files[2].parameters).to.deep.equal({ text: "Once upon a time." });
  });

  it("filters by date_from and date_to, as whole days or inclusive timestamps", async () => {
    expect(await listed("date_from=2024-06-01")).to.deep.equal(["concat_new.wav", "vc_mid.wav"]);
    expect(await listed("date_to=2024-06-30")).to.deep.equal(["vc_mid.wav", "tts_old.wav"]);
    expect(await listed("date_from=2024-06-01&date_to=2024-06-30")).to.deep.equal(["vc_mid.wav"]);
    expect(await listed("date_from=2024-06-15T12:00:00Z")).to.deep.equal(["concat_new.wav", "vc_mid.wav"]);
    expect(await listed("date_to=2024-06-15T11:59:59.999Z")).to.deep.equal(["tts_old.wav"]);
    expect(await listed("date_from=2026-01-01")).to.deep.equal([]);
    const bad = await api("/outputs?date_from=yesterday");
    expect(bad.status).to.equal(422);
    expect(((await bad.json()) as Json).detail[0]).to.deep.include({ loc: ["query", "date_from"] });
  });

  it("dates a file without a companion by the file itself", async () => {
    await writeFile(join(app.config.paths.outputs, "dropped.wav"), buildS16Wav(mono(8_000, new Float32Array(800))));
    await app.services.library.rescan();
    const today = new Date(Date.now() - 60_000).toISOString();
    expect(await listed(`date_from=${today}`)).to.deep.equal(["dropped.wav"]);
  });

  const ORDERS: Array<[string, string[]]> = [
    ["created_date", ["tts_old.wav", "vc_mid.wav", "concat_new.wav"]],
    ["filename", ["concat_new.wav", "tts_old.wav", "vc_mid.wav"]],
    ["duration", ["vc_mid.wav", "concat_new.wav", "tts_old.wav"]],
    ["size", ["vc_mid.wav", "tts_old.wav", "concat_new.wav"]],
  ];
  for (const [sortBy, ascending] of ORDERS) {
    it(`sorts by ${sortBy} in both orders`, async () => {
      expect(await listed(`sort_by=${sortBy}&sort_order=asc`)).to.deep.equal(ascending);
      expect(await listed(`sort_by=${sortBy}&sort_order=desc`)).to.deep.equal([...ascending].reverse());
    });
  }

  it("refuses a sort key outputs do not have", async () => {
    const response = await api("/outputs?sort_by=usage_count");
    expect(response.status).to.equal(422);
    expect(((await response.json()) as Json).detail[0].msg).to.equal(
      "must be one of created_date, filename, duration, size",
    );
  });

  it("filters by generation_type and by filenames (bare names or paths), combined with AND", async () => {
    expect(await listed("generation_type=vc")).to.deep.equal(["vc_mid.wav"]);
    expect(await listed("generation_type=mixed")).to.deep.equal([]);
    expect(await listed("filenames=tts_old.wav,book/vc_mid.wav,missing.wav")).to.deep.equal([
      "vc_mid.wav",
      "tts_old.wav",
    ]);
    expect(await listed("filenames=tts_old.wav,vc_mid.wav&generation_type=tts")).to.deep.equal(["tts_old.wav"]);
  });

  it("returns one file's companion as its metadata, by path or by its bare name", async () => {
    const response = await api("/outputs/book/vc_mid.wav/metadata");
    expect(response.status).to.equal(200);
    const body = (await response.json()) as Json;
    expect(body.metadata).to.deep.equal(FILES[1]!.companion);
    expect(body).to.include({ path: "book/vc_mid.wav", generation_type: "vc", url: "/outputs/book/vc_mid.wav" });
    const bare = (await (await api("/outputs/vc_mid.wav/metadata")).json()) as Json;
    expect(bare.metadata).to.deep.equal(FILES[1]!.companion);
    expect((await api("/outputs/nothing.wav/metadata")).status).to.equal(404);
  });

  it("bulk-deletes by filenames: those files and their companions, and the folder they emptied", async () => {
    const response = await api("/outputs?confirm=true&filenames=tts_old.wav,book/vc_mid.wav", { method: "DELETE" });
    expect(response.status).to.equal(200);
    const body = (await response.json()) as Json;
    expect(body).to.include({ deleted_count: 2, folders_removed: 1 });
    expect(body.deleted_files).to.have.members([
      "tts_old.wav",
      "tts_old.wav.json",
      "book/vc_mid.wav",
      "book/vc_mid.wav.json",
    ]);
    expect((await readdir(app.config.paths.outputs)).sort()).to.deep.equal(["concat_new.wav", "concat_new.wav.json"]);
    expect(await listed("")).to.deep.equal(["concat_new.wav"]);
  });

  it("bulk-deletes by generation_type only the files of that type", async () => {
    const response = await api("/outputs?confirm=true&generation_type=concat", { method: "DELETE" });
    expect(((await response.json()) as Json).deleted_files).to.deep.equal(["concat_new.wav", "concat_new.wav.json"]);
    expect(await listed("")).to.deep.equal(["vc_mid.wav", "tts_old.wav"]);
    await access(join(app.config.paths.outputs, "book/vc_mid.wav.json"));
    const none = await api("/outputs?confirm=true&generation_type=concat", { method: "DELETE" });
    expect((await none.json()) as Json).to.include({ success: true, deleted_count: 0 });
  });
});
