/**
 * The voice library through HTTP (fake engine): uploads checked by content, metadata edits that move files,
 * listings from the index, single and bulk deletes with the fixed semantics, and usage and defaults applied
 * by TTS.
 */
import { access, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "chai";
import { execa } from "execa";
import { FakeInferenceBackend, FAKE_SAMPLE_RATE } from "../../helpers/fake-inference-backend.js";
import { startTestApp, type TestApp } from "../../helpers/test-app.js";
import { buildS16Wav, mono, sine } from "../../helpers/wav-builder.js";

const wav = (seconds: number) =>
  buildS16Wav(mono(FAKE_SAMPLE_RATE, sine({ freq: 180, seconds, sampleRate: FAKE_SAMPLE_RATE })));

describe("voice library through HTTP (fake engine)", function () {
  this.timeout(20_000);
  let app: TestApp;
  let backend: FakeInferenceBackend;

  beforeEach(async () => {
    backend = new FakeInferenceBackend();
    app = await startTestApp({ backend, yaml: "uploads:\n  max_voice_mb: 1\n" });
  });
  afterEach(() => app.dispose());

  const api = (path: string, init?: RequestInit) => fetch(`${app.baseUrl}/api/v1${path}`, init);
  const json = async (response: Response) => (await response.json()) as Record<string, any>;

  function upload(fields: Record<string, string>, file: Buffer | string = wav(4), name = "narrator.wav") {
    const form = new FormData();
    form.set("voice_file", new Blob([typeof file === "string" ? file : new Uint8Array(file)]), name);
    for (const [key, value] of Object.entries(fields)) form.set(key, value);
    return api("/voice", { method: "POST", body: form });
  }

  it("uploads a voice with its metadata, measures it, and lists, shows and serves it", async () => {
    const response = await upload({
      name: "Narrator",
      description: "calm and low",
      tags: "narration, calm,",
      folder_path: "characters/narrators",
      default_parameters: JSON.stringify({ exaggeration: 0.7 }),
    });
    expect(response.status, await response.clone().text()).to.equal(200);
    const body = await json(response);
    expect(body.voice_metadata).to.include({
      name: "Narrator",
      url: "characters/narrators/narrator.wav",
      folder_path: "characters/narrators",
      sample_rate: FAKE_SAMPLE_RATE,
      usage_count: 0,
    });
    expect(body.voice_metadata.duration_seconds).to.be.closeTo(4, 0.01);
    expect(body.voice_metadata.tags).to.deep.equal(["narration", "calm"]);
    expect(body.voice_metadata.default_parameters).to.deep.equal({ exaggeration: 0.7 });

    const list = await json(await api("/voices?folder=characters&search=CALM"));
    expect(list).to.include({ count: 1, total_voices: 1, page: 1, total_pages: 1 });
    expect((await json(await api("/voices/narrator.wav"))).name).to.equal("Narrator");
    const audio = await api("/voices/characters/narrators/narrator.wav/audio", { headers: { Range: "bytes=0-11" } });
    expect(audio.status).to.equal(206);
    expect(audio.headers.get("content-range")).to.match(/^bytes 0-11\/\d+$/);
    expect(Buffer.from(await audio.arrayBuffer()).toString("latin1", 0, 4)).to.equal("RIFF");
  });

  it("refuses what is not a readable voice: empty 400, text 415, oversized 413, taken name 409", async () => {
    expect((await upload({}, Buffer.alloc(0))).status).to.equal(400);
    const text = await upload({}, "this is not audio at all", "fake.wav");
    expect(text.status).to.equal(415);
    expect((await json(text)).error).to.include("not audio");
    const big = await upload({}, Buffer.alloc(2 * 1024 * 1024, 1), "big.wav");
    expect(big.status).to.equal(413);
    expect(await upload({})).to.have.property("status", 200);
    const again = await upload({});
    expect(again.status).to.equal(409);
    expect((await upload({ overwrite: "true" }, wav(5))).status).to.equal(200);
    const files = await readdir(app.config.paths.referenceAudio);
    expect(files.sort()).to.deep.equal(["narrator.wav", "narrator.wav.json"]);
    const scratch = await readdir(app.config.paths.temp);
    expect(scratch.filter((name) => name.startsWith("upload-"))).to.deep.equal([]);
  });

  it("stores a 1 s voice but warns, in the body and in X-Warnings, that 3–60 s clone best", async () => {
    const response = await upload({}, wav(1), "short.wav");
    expect(response.status, await response.clone().text()).to.equal(200);
    const expected = "the voice is 1.0 s long, shorter than the 3–60 s that clone best; it was stored anyway";
    expect((await json(response)).warnings).to.deep.equal([expected]);
    expect(JSON.parse(response.headers.get("x-warnings") ?? "[]")).to.deep.equal([expected]);
    expect((await json(await upload({}, wav(4), "long-enough.wav"))).warnings).to.deep.equal([]);
  });

  it("refuses a file with a WAV header but unreadable content with 415 and ffprobe's reason", async () => {
    const header = Buffer.alloc(12);
    header.write("RIFF", 0, "latin1");
    header.writeUInt32LE(4 + 4096, 4);
    header.write("WAVE", 8, "latin1");
    const response = await upload({}, Buffer.concat([header, Buffer.alloc(4096, 0x5a)]), "broken.wav");
    expect(response.status).to.equal(415);
    const body = await json(response);
    expect(body.error).to.match(/^voice_file: it is not a readable audio file \(.+\)$/);
    expect(body.error).to.not.include(app.config.paths.temp);
    expect(await readdir(app.config.paths.referenceAudio)).to.deep.equal([]);
  });

  describe("accepts compressed uploads, stored under the format their content has", () => {
    let dir: string;
    before(async () => {
      dir = await mkdtemp(join(tmpdir(), "voice-formats-"));
      await writeFile(join(dir, "source.wav"), wav(4));
    });
    after(() => rm(dir, { recursive: true, force: true }));

    const FORMATS: Array<{ name: string; codec: string[]; stored: string; format: string }> = [
      { name: "voice.flac", codec: ["-c:a", "flac"], stored: "voice.flac", format: "flac" },
      { name: "voice.m4a", codec: ["-c:a", "aac", "-b:a", "64k"], stored: "voice.m4a", format: "m4a" },
      { name: "voice.opus", codec: ["-c:a", "libopus", "-b:a", "48k"], stored: "voice.opus", format: "opus" },
    ];
    for (const { name, codec, stored, format } of FORMATS) {
      it(`${name} (${format})`, async () => {
        const file = join(dir, name);
        await execa("ffmpeg", ["-v", "error", "-y", "-i", join(dir, "source.wav"), ...codec, file]);
        const response = await upload({}, await readFile(file), name);
        expect(response.status, await response.clone().text()).to.equal(200);
        const body = await json(response);
        expect(body.voice_metadata).to.include({ filename: stored, format });
        expect(body.voice_metadata.duration_seconds).to.be.closeTo(4, 0.1);
        expect(body.warnings).to.deep.equal([]);
        await access(join(app.config.paths.referenceAudio, stored));
      });
    }
  });

  it("lets exactly one of several concurrent uploads of the same name win without overwrite", async () => {
    const statuses = await Promise.all(Array.from({ length: 6 }, () => upload({}).then((r) => r.status)));
    expect(statuses.filter((s) => s === 200)).to.have.length(1);
    expect(statuses.filter((s) => s === 409)).to.have.length(5);
  });

  it("edits metadata, and a new folder_path moves the file and its companion", async () => {
    await upload({ folder_path: "drafts" });
    const response = await api("/voice/drafts/narrator.wav/metadata", {
      method: "PUT",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ description: "final take", tags: ["final"], folder_path: "released/2026" }),
    });
    expect(response.status, await response.clone().text()).to.equal(200);
    expect((await json(response)).voice_metadata).to.include({
      url: "released/2026/narrator.wav",
      description: "final take",
    });
    await access(join(app.config.paths.referenceAudio, "released/2026/narrator.wav.json"));
    expect(await readdir(join(app.config.paths.referenceAudio, "drafts"))).to.deep.equal([]);
    const folders = await json(await api("/voices/folders"));
    const released = folders.folders.find((f: { path: string }) => f.path === "released");
    expect(released).to.deep.include({ voice_count: 0, subfolders: ["released/2026"] });
  });

  it("leaves fields sent as null as they are, and refuses unknown fields and conflicting folder aliases", async () => {
    await upload({ name: "Narrator", folder_path: "keep" });
    const put = (body: object) =>
      api("/voice/keep/narrator.wav/metadata", {
        method: "PUT",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify(body),
      });
    const kept = await json(await put({ name: null, folder_path: null, tags: null, description: "new" }));
    expect(kept.voice_metadata).to.include({ name: "Narrator", url: "keep/narrator.wav", description: "new" });
    expect((await put({ colour: "blue" })).status).to.equal(422);
    expect((await upload({ folder_path: "a", project: "b" }, wav(4), "other.wav")).status).to.equal(422);
    expect((await api("/voices?confirm=true&all=true&page_size=1", { method: "DELETE" })).status).to.equal(422);
    expect((await api("/voices?confirm=true&all=maybe", { method: "DELETE" })).status).to.equal(422);
    const tooBig = await json(await api("/voices?page_size=500"));
    expect(tooBig.detail[0].msg).to.equal("must be an integer from 1 to 100");
  });

  it("deletes one file by its path, needs confirm, and refuses an ambiguous bare name with 409", async () => {
    await upload({ folder_path: "a" });
    await upload({ folder_path: "b" });
    expect((await api("/voice/narrator.wav", { method: "DELETE" })).status).to.equal(400);
    const ambiguous = await api("/voice/narrator.wav?confirm=true", { method: "DELETE" });
    expect(ambiguous.status).to.equal(409);
    expect((await json(ambiguous)).detail)
      .to.include("a/narrator.wav")
      .and.include("b/narrator.wav");
    const deleted = await json(await api("/voice/a/narrator.wav?confirm=true", { method: "DELETE" }));
    expect(deleted.deleted_files).to.deep.equal(["a/narrator.wav", "a/narrator.wav.json"]);
    expect((await api("/voice/a/narrator.wav?confirm=true", { method: "DELETE" })).status).to.equal(404);
  });

  it("bulk-deletes by criteria only (no criteria needs all=true) and keeps voice folders as categories", async () => {
    await upload({ folder_path: "cast/heroes", tags: "hero" });
    await upload({ folder_path: "cast/villains", tags: "villain" }, wav(4), "eve.wav");
    expect((await api("/voices?confirm=true", { method: "DELETE" })).status).to.equal(400);
    const byTag = await json(await api("/voices?confirm=true&tag=villain", { method: "DELETE" }));
    expect(byTag).to.include({ deleted_count: 1 });
    const none = await json(await api("/voices?confirm=true&search=nobody", { method: "DELETE" }));
    expect(none).to.include({ deleted_count: 0, success: true });
    const everything = await json(await api("/voices?confirm=true&all=true", { method: "DELETE" }));
    expect(everything).to.include({ deleted_count: 1 });
    expect(await readdir(join(app.config.paths.referenceAudio, "cast"))).to.have.members(["heroes", "villains"]);
  });

  it("counts every use by TTS without losing updates, and applies the voice's defaults where the request is silent", async () => {
    await upload({ default_parameters: JSON.stringify({ exaggeration: 0.9, speed_factor: 1.5 }) });
    const tts = (body: object) =>
      api("/tts?response_mode=json", {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({
          text: "Hello there.",
          export_formats: ["wav"],
          reference_audio_filename: "narrator",
          ...body,
        }),
      });
    const results = await Promise.all(Array.from({ length: 8 }, () => tts({ speed_factor: 1.0 })));
    expect(results.map((r) => r.status)).to.deep.equal(Array(8).fill(200));
    const applied = (await json(results[0]!)).voice_defaults_applied;
    expect(applied).to.deep.equal({ exaggeration: 0.9 });
    expect(backend.calls.at(-1)?.params.exaggeration).to.equal(0.9);
    const voice = await json(await api("/voices/narrator.wav"));
    expect(voice.usage_count).to.equal(8);
    expect(voice.last_used).to.be.a("string");
    const companion = JSON.parse(await readFile(join(app.config.paths.referenceAudio, "narrator.wav.json"), "utf8"));
    expect(companion.usage_count).to.equal(8);
  });

  it("lists a voice whose companion is corrupted, with a warning, and one dropped in by hand after a rescan", async () => {
    await upload({});
    await writeFile(join(app.config.paths.referenceAudio, "narrator.wav.json"), "{ broken");
    await writeFile(join(app.config.paths.referenceAudio, "dropped.wav"), wav(3));
    await app.services.library.rescan();
    const list = await json(await api("/voices"));
    const byName = Object.fromEntries(list.voices.map((v: { filename: string }) => [v.filename, v]));
    expect(byName["narrator.wav"].warning).to.include("not valid JSON");
    expect(byName["dropped.wav"]).to.include({ name: "dropped", sample_rate: FAKE_SAMPLE_RATE });
  });
});
