/**
 * The three management workflows of the original project's own test scripts (spec §8:
 * test_integrated_tts_file_management, test_integrated_vc_input_management,
 * test_integrated_voice_management), through HTTP with the real sidecar (espeak engine), adapted to the
 * fixes we made: a delete names exactly one file, bulk deletes remove the folders they empty (not the
 * voice library's), and search also covers the voices' file names.
 */
import { readdir } from "node:fs/promises";
import { expect } from "chai";
import type { SidecarSupervisor } from "../../../src/sidecar/supervisor.js";
import { realSidecarSupervisor } from "../../helpers/real-sidecar.js";
import { makeDataDir, startTestApp, type TestApp } from "../../helpers/test-app.js";
import { buildS16Wav, mono, sine } from "../../helpers/wav-builder.js";

type Json = Record<string, any>;
const RATE = 24_000;
const tone = (freq: number, seconds: number) => buildS16Wav(mono(RATE, sine({ freq, seconds, sampleRate: RATE })));

describe("library workflows of the original test scripts, with the real sidecar (espeak engine)", function () {
  this.timeout(180_000);
  let supervisor: SidecarSupervisor;
  let app: TestApp;

  before(async () => {
    const data = await makeDataDir();
    supervisor = realSidecarSupervisor(data.config);
    await supervisor.start();
    app = await startTestApp({ backend: supervisor.backend, data, health: supervisor });
  });
  after(async () => {
    await app?.dispose();
    await supervisor?.stop();
  });

  const api = async (path: string, init?: RequestInit): Promise<Json> => {
    const response = await fetch(`${app.baseUrl}/api/v1${path}`, init);
    const body = (await response.json()) as Json;
    expect(response.status, `${init?.method ?? "GET"} ${path}: ${JSON.stringify(body).slice(0, 300)}`).to.equal(200);
    return body;
  };
  const del = (path: string) => api(path, { method: "DELETE" });
  const post = (path: string, form: FormData) => api(path, { method: "POST", body: form });
  const form = (field: string, file: Buffer, filename: string, fields: Record<string, string>) => {
    const body = new FormData();
    body.set(field, new Blob([new Uint8Array(file)]), filename);
    for (const [key, value] of Object.entries(fields)) body.set(key, value);
    return body;
  };
  const names = (list: Json[], key = "filename") => list.map((item) => item[key] as string).sort();

  it("voice management: upload into folders, list hierarchically, search, tags, delete, bulk delete", async () => {
    const voices = [
      { name: "Narrator Deep", folder: "characters/narrators", tags: "professional, narrator", freq: 110 },
      { name: "Casual Friend", folder: "characters/casual", tags: "casual, friendly", freq: 180 },
      { name: "Business Exec", folder: "business/executives", tags: "professional, business", freq: 140 },
      { name: "Test Root", folder: "", tags: "test", freq: 220 },
    ];
    for (const voice of voices) {
      const file = `voice_${voice.name.toLowerCase().replace(" ", "_")}.wav`;
      const fields = {
        name: voice.name,
        description: `${voice.name} voice`,
        folder_path: voice.folder,
        tags: voice.tags,
      };
      const saved = await post(
        "/voice",
        form("voice_file", tone(voice.freq, 5), file, { ...fields, overwrite: "true" }),
      );
      expect(saved.filename).to.equal(file);
      expect(saved.voice_metadata).to.include({ name: voice.name, folder_path: voice.folder || null });
      expect(saved.voice_metadata.duration_seconds).to.be.closeTo(5, 0.01);
    }
    expect(names((await api("/voices?folder=characters")).voices, "name")).to.deep.equal([
      "Casual Friend",
      "Narrator Deep",
    ]);
    expect(names((await api("/voices?project=business")).voices, "name")).to.deep.equal(["Business Exec"]);
    const folders = (await api("/voices/folders")).folders as Json[];
    expect(folders.find((f) => f.path === "characters")).to.deep.include({ voice_count: 0 });
    expect(folders.find((f) => f.path === "characters")!.subfolders).to.have.members([
      "characters/narrators",
      "characters/casual",
    ]);
    expect(names((await api("/voices?search=narrator")).voices, "name")).to.deep.equal(["Narrator Deep"]);
    expect(names((await api("/voices?search=Business")).voices, "name")).to.deep.equal(["Business Exec"]);
    expect(names((await api("/voices?tag=professional")).voices, "name")).to.deep.equal([
      "Business Exec",
      "Narrator Deep",
    ]);
    expect(names((await api("/voices?tag=casual")).voices, "name")).to.deep.equal(["Casual Friend"]);
    expect((await del("/voice/voice_test_root.wav?confirm=true")).deleted_count).to.equal(1);
    expect((await del("/voices?folder=characters&confirm=true")).deleted_count).to.equal(2);
    expect((await del("/voices?folder=business&confirm=true")).deleted_count).to.equal(1);
    expect((await del("/voices?search=test&confirm=true")).deleted_count).to.equal(0);
    // Empty voice folders stay: users keep them as categories.
    expect(await readdir(app.config.paths.referenceAudio)).to.include.members(["characters", "business"]);
  });

  it("TTS file management: generate into projects, list, search, folders, delete one, bulk delete by project", async () => {
    const uploaded = await post("/voice", form("voice_file", tone(150, 5), "speaker.wav", { folder_path: "cast" }));
    const voice = uploaded.voice_metadata.url as string;
    const runs = [
      { project: "test_book/chapter1", export_formats: ["wav", "mp3"] },
      { project: "test_book/chapter2", export_formats: ["wav"] },
      { project: "podcast_series/episode1", export_formats: ["mp3", "flac"] },
      { project: "", export_formats: ["wav"] },
    ];
    for (const run of runs) {
      const body = { text: `Recording for ${run.project || "the root"}.`, reference_audio_filename: voice, ...run };
      const made = await api("/tts?response_mode=url", {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify(body),
      });
      expect(made.output_files).to.have.length(run.export_formats.length);
    }
    const all = await api("/outputs");
    expect(all.total_files).to.equal(6);
    expect(
      all.files.every((f: Json) => f.generation_type === "tts" && f.parameters.reference_audio_filename === voice),
    ).to.equal(true);
    expect((await api("/outputs?project=test_book/chapter1")).total_files).to.equal(2);
    expect((await api("/outputs?project=podcast_series")).total_files).to.equal(2);
    const folders = (await api("/outputs/folders")).folders as Json[];
    expect(folders.find((f) => f.path === "test_book")!.subfolders).to.have.members([
      "test_book/chapter1",
      "test_book/chapter2",
    ]);
    expect((await api("/outputs?search=chapter")).total_files).to.equal(3);
    expect((await api("/outputs?search=podcast")).total_files).to.equal(2);
    expect((await api("/outputs?search=test_book")).total_files).to.equal(3);
    const first = all.files[0] as Json;
    expect((await del(`/output/${first.path}?confirm=true`)).deleted_files).to.deep.equal([
      first.path,
      `${first.path}.json`,
    ]);
    await del("/outputs?project=test_book&confirm=true");
    await del("/outputs?project=podcast_series&confirm=true");
    const left = await api("/outputs");
    expect(left.files.every((f: Json) => f.folder_path === null)).to.equal(true);
    expect(await readdir(app.config.paths.outputs)).to.not.include.members(["test_book", "podcast_series"]);
    expect((await api("/voices/cast/speaker.wav")).usage_count).to.equal(4);
  });

  it("VC input management: upload into projects, list hierarchically, search, folders, delete, bulk delete", async () => {
    const uploads = [
      { project: "interview_project/raw_recordings", file: "upload_interview_a.wav", text: "first interview take" },
      { project: "podcast_project/guest_voices", file: "upload_guest.wav", text: "guest introduction" },
      { project: "interview_project/followup", file: "upload_interview_b.wav", text: "follow-up questions" },
      { project: "", file: "upload_root.wav", text: "loose recording" },
    ];
    for (const upload of uploads) {
      const fields = { text: upload.text, project: upload.project, overwrite: "true" };
      const saved = await post("/vc_input", form("vc_input_file", tone(200, 3), upload.file, fields));
      expect(saved.metadata.folder_path).to.equal(upload.project || null);
    }
    expect(names((await api("/vc_inputs?project=interview_project")).files)).to.deep.equal([
      "upload_interview_a.wav",
      "upload_interview_b.wav",
    ]);
    const folders = (await api("/vc_inputs/folders")).folders as Json[];
    expect(folders.find((f) => f.path === "interview_project")!.subfolders).to.have.members([
      "interview_project/raw_recordings",
      "interview_project/followup",
    ]);
    expect((await api("/vc_inputs?search=interview")).total_files).to.equal(2);
    expect((await api("/vc_inputs?search=podcast")).total_files).to.equal(1);
    expect((await api("/vc_inputs?search=upload")).total_files).to.equal(4);
    expect((await api("/vc_inputs?search=questions")).total_files).to.equal(1);
    expect((await del("/vc_input/upload_root.wav?confirm=true")).deleted_count).to.equal(1);
    const bulk = await del("/vc_inputs?project=interview_project&confirm=true");
    expect(bulk).to.include({ deleted_count: 2 });
    expect(bulk.folders_removed).to.equal(3);
    expect(await readdir(app.config.paths.vcInputs)).to.deep.equal(["podcast_project"]);
  });
});
