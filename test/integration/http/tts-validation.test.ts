import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { expect } from "chai";
import { encodeWav } from "../../../src/audio/wav.js";
import { FakeInferenceBackend, FAKE_SAMPLE_RATE } from "../../helpers/fake-inference-backend.js";
import { expectError } from "../../helpers/error-body.js";
import { startTestApp, type TestApp } from "../../helpers/test-app.js";
import { sine } from "../../helpers/wav-builder.js";

describe("POST /api/v1/tts validation and voices (fake engine)", () => {
  let app: TestApp;
  let backend: FakeInferenceBackend;

  before(async () => {
    backend = new FakeInferenceBackend();
    app = await startTestApp({ backend, yaml: "api:\n  max_text_length: 50\n  max_body_mb: 0.001\n" });
  });
  after(() => app.dispose());

  const post = (body: string, query = "", contentType = "application/json") =>
    fetch(`${app.baseUrl}/api/v1/tts${query}`, { method: "POST", headers: { "Content-Type": contentType }, body });
  const tts = (body: object, query = "") => post(JSON.stringify(body), query);

  it("lists every field problem in one 422, located in the body", async () => {
    const body = await expectError(
      await tts({ text: "  ", temperature: 5, export_formats: ["ogg"], seed: -1, whisper_model_name: "huge" }),
      422,
      "VALIDATION_ERROR",
    );
    const problems = (body.detail as Array<{ loc: Array<string | number>; msg: string }>).map(
      (d) => `${d.loc.join(".")}: ${d.msg}`,
    );
    expect(problems).to.include.members([
      "body.text: Text must be non-empty",
      "body.temperature: must be between 0.1 and 2",
      "body.export_formats.0: Unsupported audio format: ogg",
      "body.seed: must be between 0 and 4294967295",
      "body.whisper_model_name: Invalid Whisper model: huge",
    ]);
  });

  it("rejects a missing text, a text over api.max_text_length and non-object bodies", async () => {
    await expectError(await tts({ temperature: 0.5 }), 422, "VALIDATION_ERROR");
    const long = await expectError(await tts({ text: "x".repeat(51) }), 422, "VALIDATION_ERROR");
    expect(long.error).to.include("Text too long. Maximum length: 50 characters");
    await expectError(await post("[1, 2]"), 422, "VALIDATION_ERROR");
  });

  it("rejects unknown response modes, a return_format outside export_formats, and conflicting project/folder", async () => {
    const mode = await expectError(await tts({ text: "Hi there." }, "?response_mode=xml"), 422, "VALIDATION_ERROR");
    expect((mode.detail as Array<{ loc: unknown[] }>)[0]!.loc).to.deep.equal(["query", "response_mode"]);
    await expectError(
      await tts({ text: "Hi there.", export_formats: ["wav"] }, "?return_format=mp3"),
      422,
      "VALIDATION_ERROR",
    );
    const conflict = await expectError(
      await tts({ text: "Hi there.", project: "a", folder: "b" }),
      422,
      "VALIDATION_ERROR",
    );
    expect(conflict.error).to.include("Cannot specify both 'project' and 'folder'");
  });

  it("answers 400 for broken JSON, 415 for other content types and 413 past api.max_body_mb", async () => {
    await expectError(await post('{"text": "unterminated'), 400, "BAD_REQUEST");
    await expectError(await post("text=hello", "", "application/x-www-form-urlencoded"), 415, "UNSUPPORTED_MEDIA_TYPE");
    await expectError(await tts({ text: "Hi.", sound_words_field: "x".repeat(2000) }), 413, "PAYLOAD_TOO_LARGE");
  });

  it("refuses URLs other than http(s) as reference voices, and http(s) while url_sources is off, with a 422", async () => {
    for (const url of ["file:///etc/passwd", "ftp://example.com/a.wav", "data:audio/wav;base64,UklG"]) {
      const body = await expectError(
        await tts({ text: "Hi there.", reference_audio_filename: url }),
        422,
        "VALIDATION_ERROR",
      );
      expect(body.error, url).to.include("a name inside reference_audio or an http(s) URL is accepted");
      expect((body.detail as Array<{ loc: unknown[] }>)[0]!.loc).to.deep.equal(["body", "reference_audio_filename"]);
    }
    const disabled = await expectError(
      await tts({ text: "Hi there.", reference_audio_filename: "http://example.com/a.wav" }),
      422,
      "VALIDATION_ERROR",
    );
    expect(disabled.error).to.include("URL sources are disabled on this server");
    expect(backend.calls).to.have.length(0);
  });

  it("resolves reference voices by name, without extension and one folder deep; unknown is 404", async () => {
    const voiceDir = join(app.config.paths.referenceAudio, "narrators");
    await mkdir(voiceDir, { recursive: true });
    const wav = encodeWav({
      sampleRate: FAKE_SAMPLE_RATE,
      samples: sine({ freq: 150, seconds: 1, sampleRate: FAKE_SAMPLE_RATE }),
    });
    await writeFile(join(voiceDir, "anna.wav"), wav);
    await writeFile(join(app.config.paths.referenceAudio, "root-voice.flac"), wav);
    for (const name of ["anna", "anna.wav", "narrators/anna", "root-voice"]) {
      const named = await tts(
        { text: "Voice test.", export_formats: ["wav"], reference_audio_filename: name },
        "?response_mode=json",
      );
      expect(named.status, name).to.equal(200);
      const voice = backend.calls.at(-1)!.voice as { path: string };
      expect(voice.path, name).to.equal(
        name === "root-voice" ? join(app.config.paths.referenceAudio, "root-voice.flac") : join(voiceDir, "anna.wav"),
      );
    }
    const missing = await expectError(
      await tts({ text: "Voice test.", reference_audio_filename: "nobody" }),
      404,
      "RESOURCE_NOT_FOUND",
    );
    expect(missing.error).to.equal("Audio file not found: nobody in reference_audio");
    await expectError(
      await tts({ text: "Voice test.", reference_audio_filename: "../config.yaml" }),
      400,
      "INVALID_PATH",
    );
    await expectError(
      await tts({ text: "Voice test.", reference_audio_filename: "https://example.com/v.wav" }),
      422,
      "VALIDATION_ERROR",
    );
    await mkdir(join(app.config.paths.referenceAudio, "villains"), { recursive: true });
    await writeFile(join(app.config.paths.referenceAudio, "villains", "anna.wav"), wav);
    const ambiguous = await expectError(
      await tts({ text: "Voice test.", reference_audio_filename: "anna" }),
      409,
      "CONFLICT",
    );
    expect(ambiguous.detail).to.equal("narrators/anna.wav, villains/anna.wav");
  });
});
