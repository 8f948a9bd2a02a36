/**
 * What both concat endpoints refuse, and how: every validation message in the one error body (422, also where
 * the original answered 400 or 500), paths confined to outputs/, missing and non-audio files, and uploads
 * checked by their content and limited in size and number. Nothing is written for a refused request.
 */
import { mkdir, readdir, symlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { expect } from "chai";
import { encodeWav } from "../../../src/audio/wav.js";
import { expectError } from "../../helpers/error-body.js";
import { FakeInferenceBackend } from "../../helpers/fake-inference-backend.js";
import { startTestApp, type TestApp } from "../../helpers/test-app.js";
import { buildS16Wav, mono, sine } from "../../helpers/wav-builder.js";

const RATE = 24_000;
const wav = (seconds: number) => buildS16Wav(mono(RATE, sine({ freq: 440, seconds, sampleRate: RATE })));
/** 2.4 kB: three of them stay below the uploads' total limit. */
const WAV = wav(0.05);
const LIMITS =
  "uploads:\n  max_concat_upload_mb: 0.01\n  max_concat_total_mb: 0.02\nconcat:\n  max_items: 6\n  max_uploads: 3\n";

describe("POST /api/v1/concat and /concat/mixed: what they refuse", () => {
  let app: TestApp;
  before(async () => {
    app = await startTestApp({ backend: new FakeInferenceBackend(), yaml: LIMITS });
    const outputs = app.config.paths.outputs;
    await mkdir(join(outputs, "ep"), { recursive: true });
    await writeFile(join(outputs, "a.wav"), WAV);
    await writeFile(join(outputs, "ep", "b.wav"), WAV);
    await writeFile(join(outputs, "notes.txt"), "not audio");
    await writeFile(join(outputs, "broken.wav"), "RIFF but not really a wave file");
    await writeFile(join(app.dir, "secret.wav"), encodeWav(mono(RATE, new Float32Array(100))));
    await symlink(join(app.dir, "secret.wav"), join(outputs, "escape.wav"));
  });
  after(() => app.dispose());

  const concat = (body: object) =>
    fetch(`${app.baseUrl}/api/v1/concat?response_mode=json`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(body),
    });

  function mixed(requestJson: string | undefined, uploads: Array<[Buffer, string]> = [], field = "uploaded_files") {
    const form = new FormData();
    if (requestJson !== undefined) form.set("request_json", requestJson);
    for (const [bytes, name] of uploads) form.append(field, new Blob([new Uint8Array(bytes)]), name);
    return fetch(`${app.baseUrl}/api/v1/concat/mixed?response_mode=json`, { method: "POST", body: form });
  }
  const segments = (list: object[], extra: object = {}) => JSON.stringify({ segments: list, ...extra });

  /** The `detail` messages of a 422, by location. */
  async function invalid(response: Response): Promise<Record<string, string>> {
    const body = await expectError(response, 422, "VALIDATION_ERROR");
    const detail = body.detail as Array<{ loc: Array<string | number>; msg: string }>;
    return Object.fromEntries(detail.map((issue) => [issue.loc.join("."), issue.msg]));
  }

  it("lists every problem of a /concat body in one 422 with the original's messages", async () => {
    expect(await invalid(await concat({ files: [] }))).to.deep.equal({ "body.files": "Files array cannot be empty" });
    expect(await invalid(await concat({}))).to.deep.equal({
      "body.files": "Field required: a list of files in outputs/ and silences like (500ms)",
    });
    expect(await invalid(await concat({ files: ["a.wav", "(15s)", "(20ms)", ""] }))).to.deep.equal({
      "body.files.1": "Silence duration must be between 50ms and 10s: (15s)",
      "body.files.2": "Silence duration must be between 50ms and 10s: (20ms)",
      "body.files.3": "must not be empty",
    });
    expect(await invalid(await concat({ files: ["(1s)", "(2s)"] }))).to.deep.equal({
      "body.files": "At least one audio file required (silence-only concatenation not allowed)",
    });
    expect(await invalid(await concat({ files: ["a.wav"] }))).to.deep.equal({
      "body.files": "At least 2 files required for concatenation when not using manual silence",
    });
    expect(await invalid(await concat({ files: Array(7).fill("a.wav") }))).to.deep.equal({
      "body.files": "at most 6 entries (config concat.max_items)",
    });
  });

  it("checks the shared settings: ranges, formats, the pause variation, project and response_mode", async () => {
    const files = ["a.wav", "ep/b.wav"];
    expect(
      await invalid(
        await concat({ files, export_formats: ["wav", "ogg"], crossfade_ms: 6000, trim_threshold_ms: 10, seed: -1 }),
      ),
    ).to.deep.equal({
      "body.export_formats.1": "Unsupported audio format: ogg",
      "body.crossfade_ms": "must be between 0 and 5000",
      "body.trim_threshold_ms": "must be between 50 and 1000",
      "body.seed": "must be between 0 and 4294967295",
    });
    const pauseRule = "Pause variation must be less than base pause duration when pause is enabled";
    expect(await invalid(await concat({ files, pause_duration_ms: 100, pause_variation_ms: 100 }))).to.deep.equal({
      "body.pause_variation_ms": pauseRule,
    });
    expect(await invalid(await concat({ files, loudness_target_lufs: 0 }))).to.deep.equal({
      "body.loudness_target_lufs": "must be between -70 and -5",
    });
    const body = JSON.stringify({ files, project: "a", folder: "b", response_mode: "mp4" });
    const headers = { "Content-Type": "application/json" };
    const conflicting = await fetch(`${app.baseUrl}/api/v1/concat`, { method: "POST", headers, body });
    expect(await invalid(conflicting)).to.deep.equal({
      "body.folder": "Cannot specify both 'project' and 'folder' parameters with different values",
      "body.response_mode": "must be one of stream, file, download, json, url",
    });
    const text = await fetch(`${app.baseUrl}/api/v1/concat`, { method: "POST", body: "files=a.wav" });
    await expectError(text, 415, "UNSUPPORTED_MEDIA_TYPE");
  });

  it("confines files to outputs/ and names the file that is missing or not audio", async () => {
    const traversal = await expectError(await concat({ files: ["a.wav", "../secret.wav"] }), 400, "INVALID_PATH");
    expect(traversal.error).to.equal("Invalid path in 'files[1]': '..' is not allowed");
    await expectError(await concat({ files: ["/etc/passwd", "a.wav"] }), 400, "INVALID_PATH");
    const link = await expectError(await concat({ files: ["a.wav", "escape.wav"] }), 400, "INVALID_PATH");
    expect(link.error).to.equal("Invalid path in 'files[1]': it leads outside its folder");
    const missing = await expectError(await concat({ files: ["a.wav", "(500 ms)"] }), 404, "RESOURCE_NOT_FOUND");
    expect(missing.error).to.equal(
      "File not found: (500 ms) (a silence is written like (500ms) or (1.5s), without spaces)",
    );
    const text = await expectError(await concat({ files: ["a.wav", "notes.txt"] }), 400, "INVALID_AUDIO");
    expect(text.error).to.equal("Not an audio file: notes.txt");
    const broken = await expectError(await concat({ files: ["a.wav", "broken.wav"] }), 400, "INVALID_AUDIO");
    expect(broken.error).to.match(/^Could not decode "broken\.wav": /);
    expect((await readdir(app.config.paths.outputs)).filter((name) => /^(concat|mixed)_/.test(name))).to.deep.equal([]);
  });

  it("validates request_json and its segments with 422, a missing index or source included", async () => {
    expect(await invalid(await mixed(undefined))).to.deep.equal({
      "body.request_json": "Field required: the request as JSON text",
    });
    const bad = await invalid(await mixed("{segments:"));
    expect(bad["body.request_json"]).to.match(/^Invalid JSON in request: /);
    expect(await invalid(await mixed(segments([])))).to.deep.equal({
      "body.request_json.segments": "Segments array cannot be empty",
    });
    const list = [
      { type: "upload" },
      { type: "server_file" },
      { type: "silence", source: "(11s)" },
      { type: "upload", index: 0, source: "a.wav" },
      { type: "silence", source: "(1s)", index: 1 },
      { type: "voice" },
    ];
    expect(await invalid(await mixed(segments(list), [[WAV, "x.wav"]]))).to.deep.equal({
      "body.request_json.segments.5.type": "must be one of server_file, upload, silence",
    });
    expect(await invalid(await mixed(segments(list.slice(0, 5)), [[WAV, "x.wav"]]))).to.deep.equal({
      "body.request_json.segments.0.index":
        "upload segments need 'index': the position of its file among the uploaded_files, from 0",
      "body.request_json.segments.1.source": "server_file segments need 'source': a file in outputs/",
      "body.request_json.segments.2.source": "Silence duration must be between 50ms and 10s: (11s)",
      "body.request_json.segments.3.source": "upload segments take no 'source'",
      "body.request_json.segments.4.index": "silence segments take no 'index'",
    });
    expect(await invalid(await mixed(segments([{ type: "silence", source: "(1s)" }])))).to.deep.equal({
      "body.request_json.segments": "At least one audio segment required (silence-only concatenation not allowed)",
    });
  });

  it("matches uploads to upload indices: consecutive from 0, one file each, sent as uploaded_files", async () => {
    const gap = segments([
      { type: "upload", index: 0 },
      { type: "upload", index: 2 },
    ]);
    expect(
      await invalid(
        await mixed(gap, [
          [WAV, "x.wav"],
          [WAV, "y.wav"],
          [WAV, "z.wav"],
        ]),
      ),
    ).to.deep.equal({
      "body.request_json.segments":
        "Upload indices must be consecutive starting from 0. Expected: [0, 1, 2], Found: [0, 2]",
    });
    const two = segments([
      { type: "upload", index: 0 },
      { type: "upload", index: 1 },
    ]);
    expect(await invalid(await mixed(two, [[WAV, "x.wav"]]))).to.deep.equal({
      "body.uploaded_files": "Expected 2 uploaded files, got 1",
    });
    const serverOnly = segments([{ type: "server_file", source: "a.wav" }]);
    expect(await invalid(await mixed(serverOnly, [[WAV, "x.wav"]]))).to.deep.equal({
      "body.uploaded_files": "Expected 0 uploaded files, got 1",
    });
    expect(await invalid(await mixed(serverOnly, [[WAV, "x.wav"]], "file"))).to.deep.equal({
      "body.file": "files go in 'uploaded_files' (a file was sent as 'file')",
    });
  });

  it("checks uploads by content, size and number, and server sources like /concat", async () => {
    const one = segments([{ type: "upload", index: 0 }]);
    const text = await expectError(
      await mixed(one, [[Buffer.from("hello, not audio"), "x.wav"]]),
      415,
      "UNSUPPORTED_MEDIA_TYPE",
    );
    expect(text.error).to.match(/^uploaded_files\[0\]: the file is not audio in a supported format/);
    const tooBig = await expectError(await mixed(one, [[wav(0.25), "x.wav"]]), 413, "PAYLOAD_TOO_LARGE");
    expect(tooBig.error).to.equal("An upload is larger than the limit of 0.01 MiB");
    const three = Array.from({ length: 3 }, () => [wav(0.18), "x.wav"] as [Buffer, string]);
    const tooMuch = await expectError(await mixed(one, three), 413, "PAYLOAD_TOO_LARGE");
    expect(tooMuch.error).to.equal("The uploads together are larger than the limit of 0.02 MiB");
    const four = Array.from({ length: 4 }, () => [Buffer.alloc(100), "x.wav"] as [Buffer, string]);
    const tooMany = await expectError(await mixed(one, four), 413, "PAYLOAD_TOO_LARGE");
    expect(tooMany.error).to.equal("The request sends more than 3 files");
    const escape = await expectError(
      await mixed(segments([{ type: "server_file", source: "ep/../../x.wav" }])),
      400,
      "INVALID_PATH",
    );
    expect(escape.error).to.equal("Invalid path in 'segments[0].source': '..' is not allowed");
    await expectError(await mixed(segments([{ type: "server_file", source: "nope.wav" }])), 404, "RESOURCE_NOT_FOUND");
  });
});
