import { mkdir, readdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { expect } from "chai";
import { durationSeconds } from "../../../src/audio/pcm.js";
import { encodeWav } from "../../../src/audio/wav.js";
import { InferenceFailedError } from "../../../src/domain/errors.js";
import { decodeAudio } from "../../helpers/audio-file.js";
import {
  FAKE_SAMPLE_RATE,
  FakeInferenceBackend,
  type FakeBackendOptions,
} from "../../helpers/fake-inference-backend.js";
import { startLocalServer, type LocalServer } from "../../helpers/local-http-server.js";
import { expectError } from "../../helpers/error-body.js";
import { makeDataDir, startTestApp, type TestApp } from "../../helpers/test-app.js";
import { buildS16Wav, harmonicTone, mono } from "../../helpers/wav-builder.js";

interface VcJson {
  success: boolean;
  message: string;
  output_files: Array<{ format: string; filename: string; url: string; variant?: string }>;
  processing_time_seconds: number;
  warnings: string[];
}

/** A 5 s source: long enough for several chunks when chunk_sec is small. */
const SOURCE = mono(
  FAKE_SAMPLE_RATE,
  harmonicTone({ f0: 120, seconds: 5, sampleRate: FAKE_SAMPLE_RATE, harmonics: [0.4, 0.2] }),
);
const TARGET = mono(
  FAKE_SAMPLE_RATE,
  harmonicTone({ f0: 210, seconds: 2, sampleRate: FAKE_SAMPLE_RATE, harmonics: [0.4, 0.2] }),
);

describe("POST /api/v1/vc (fake engine)", () => {
  let app: TestApp | undefined;
  let backend: FakeInferenceBackend;
  const servers: LocalServer[] = [];
  afterEach(async () => {
    await app?.dispose();
    app = undefined;
    await Promise.all(servers.splice(0).map((server) => server.close()));
  });

  /** An app whose libraries hold `interviews/take1.wav` (vc_inputs) and `narrators/linda_johnson_01.wav`. */
  async function start(yaml = "", options: FakeBackendOptions = {}) {
    const data = await makeDataDir(yaml);
    const { vcInputs, referenceAudio } = data.config.paths;
    await mkdir(join(vcInputs, "interviews"), { recursive: true });
    await mkdir(join(referenceAudio, "narrators"), { recursive: true });
    await writeFile(join(vcInputs, "interviews", "take1.wav"), encodeWav(SOURCE));
    await writeFile(join(referenceAudio, "narrators", "linda_johnson_01.wav"), encodeWav(TARGET));
    backend = new FakeInferenceBackend(options);
    app = await startTestApp({ backend, data });
    return app;
  }

  const vcJson = (body: object, query = "?response_mode=json") =>
    fetch(`${app!.baseUrl}/api/v1/vc${query}`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(body),
    });

  function vcForm(file: Buffer | undefined, fields: Record<string, string>, query = "") {
    const form = new FormData();
    if (file) form.set("input_audio", new Blob([new Uint8Array(file)]), "my take.wav");
    for (const [key, value] of Object.entries(fields)) form.set(key, value);
    return fetch(`${app!.baseUrl}/api/v1/vc${query}`, { method: "POST", body: form });
  }

  async function ok(response: Response): Promise<VcJson> {
    expect(response.status, await response.clone().text()).to.equal(200);
    return (await response.json()) as VcJson;
  }

  const download = async (url: string) => Buffer.from(await (await fetch(`${app!.baseUrl}${url}`)).arrayBuffer());

  it("converts a vc_inputs file toward a reference voice in JSON mode and lists every requested format", async () => {
    await start();
    const formats = ["wav", "mp3", "flac", "opus", "aac", "pcm"];
    const json = await ok(
      await vcJson({
        input_audio_source: "interviews/take1.wav",
        target_voice_source: "linda_johnson_01",
        export_formats: formats,
        project: "dubbing/ep1",
      }),
    );
    expect(json).to.include({ success: true, message: "Voice conversion completed successfully" });
    expect(json.output_files.map((file) => file.format)).to.deep.equal(formats);
    const wav = json.output_files[0]!;
    expect(wav.filename).to.match(/^vc_\d{4}-\d{2}-\d{2}_\d{6}_\d{6}_voicelinda_john\.wav$/);
    expect(wav.url).to.equal(`/outputs/dubbing/ep1/${wav.filename}`);
    // The fake engine returns its input: the output is the source, in full.
    const audio = await decodeAudio(await download(wav.url));
    expect(durationSeconds(audio)).to.be.closeTo(5, 0.001);
    for (const file of json.output_files.slice(1, 5)) {
      expect(durationSeconds(await decodeAudio(await download(file.url))), file.format).to.be.closeTo(5, 0.08);
    }
    expect((await download(json.output_files[5]!.url)).length).to.equal(5 * FAKE_SAMPLE_RATE * 2);

    const call = backend.convertCalls[0]!;
    expect(call.targetVoice).to.deep.equal({
      path: join(app!.config.paths.referenceAudio, "narrators", "linda_johnson_01.wav"),
    });
    expect(call.pitchShiftSemitones).to.equal(0);
    const companion = JSON.parse(
      await readFile(join(app!.config.paths.outputs, "dubbing/ep1", `${wav.filename}.json`), "utf8"),
    );
    expect(companion).to.deep.include({ type: "vc", warnings: [] });
    expect(companion.parameters).to.include({
      input_audio_source: "interviews/take1.wav",
      target_voice_source: "linda_johnson_01",
      chunk_sec: 60,
      project: "dubbing/ep1",
    });
    expect(companion.generation_info).to.include({
      engine: "espeak",
      voice_method: "fake: the source is returned unchanged",
      chunks_processed: 1,
      source_duration_seconds: 5,
    });
    expect(Object.keys(companion.files)).to.deep.equal(formats);
    const voice = (await (await fetch(`${app!.baseUrl}/api/v1/voices/narrators/linda_johnson_01.wav`)).json()) as {
      usage_count: number;
    };
    expect(voice.usage_count).to.equal(1);
  });

  it("converts an uploaded file in multipart mode, in crossfaded chunks, and streams the audio", async () => {
    await start();
    const response = await vcForm(buildS16Wav(SOURCE), {
      target_voice_source: "narrators/linda_johnson_01.wav",
      chunk_sec: "2",
      overlap_sec: "0.5",
      pitch_shift: "-3.5",
      export_formats: "wav, mp3",
    });
    expect(response.status).to.equal(200);
    expect(response.headers.get("content-type")).to.equal("audio/wav");
    const alternatives = response.headers.get("x-alternative-formats") ?? "";
    expect(alternatives).to.match(/^mp3:\/outputs\/vc_.*_chunk2_overlap0\.5_voicelinda_john_pitch-3\.5\.mp3$/);
    const audio = await decodeAudio(Buffer.from(await response.arrayBuffer()));
    // Chunks start every 1.5 s: 0-2, 1.5-3.5, 3-5; joined, the overlaps count once.
    const chunks = backend.convertCalls.map((call) => ("pcm" in call.source ? durationSeconds(call.source.pcm) : 0));
    expect(chunks).to.deep.equal([2, 2, 2]);
    expect(backend.convertCalls.every((call) => call.pitchShiftSemitones === -3.5)).to.equal(true);
    expect(durationSeconds(audio)).to.be.closeTo(5, 0.001);
    // The joins are equal-power (cos/sin): over identical audio the gains sum to up to √2 in the middle of
    // the overlap, where a linear fade (whose gains sum to 1) would leave the source's level.
    const join1 = audio.samples.subarray(1.5 * FAKE_SAMPLE_RATE, 2 * FAKE_SAMPLE_RATE);
    const peak = (samples: Float32Array) => samples.reduce((max, x) => Math.max(max, Math.abs(x)), 0);
    expect(peak(join1) / peak(SOURCE.samples)).to.be.within(1.3, Math.SQRT2 + 0.01);
    expect(await readdir(app!.config.paths.temp)).to.deep.equal([]);
  });

  it("downloads both sources from an allow-listed server, uses them, then removes them", async () => {
    const sourceWav = buildS16Wav(SOURCE);
    const targetWav = buildS16Wav(TARGET);
    const server = await startLocalServer((request, response) => {
      response.writeHead(200, { "Content-Type": "audio/wav" });
      response.end(request.url?.startsWith("/voice.wav") ? targetWav : sourceWav);
    });
    servers.push(server);
    await start("url_sources:\n  enabled: true\n  allow_hosts: ['127.0.0.1']\n");
    const json = await ok(
      await vcJson({
        input_audio_source: `${server.origin}/speech.wav`,
        target_voice_source: `${server.origin}/voice.wav?v=2`,
        export_formats: ["wav"],
      }),
    );
    expect(server.requests.map((request) => request.url)).to.deep.equal(["/speech.wav", "/voice.wav?v=2"]);
    expect(json.output_files[0]!.filename).to.match(/_voicevoice\.wav$/);
    const audio = await decodeAudio(await download(json.output_files[0]!.url));
    expect(durationSeconds(audio)).to.be.closeTo(5, 0.001);
    const target = backend.convertCalls[0]!.targetVoice as { fileBytes: Buffer };
    expect(Buffer.compare(target.fileBytes, targetWav)).to.equal(0);
    expect(await readdir(app!.config.paths.temp)).to.deep.equal([]);
  });

  it("refuses loopback and private sources that are not allow-listed, without connecting", async () => {
    const server = await startLocalServer((_request, response) => response.end(buildS16Wav(SOURCE)));
    servers.push(server);
    await start("url_sources:\n  enabled: true\n");
    for (const url of [`${server.origin}/a.wav`, "http://169.254.169.254/latest/meta-data", "http://10.0.0.1/a.wav"]) {
      const body = await expectError(
        await vcJson({ input_audio_source: url, target_voice_source: "linda_johnson_01" }),
        422,
        "VALIDATION_ERROR",
      );
      expect(body.detail).to.be.an("array");
      expect((body.detail as Array<{ type: string }>)[0]!.type, url).to.equal("url_host_not_allowed");
    }
    expect(server.connections).to.equal(0);
    expect(backend.convertCalls).to.have.length(0);
  });

  it("validates both modes alike with 422s, and names what to send for other content types", async () => {
    await start();
    const missing = await expectError(await vcJson({ input_audio_source: "take1" }), 422, "VALIDATION_ERROR");
    expect(JSON.stringify(missing.detail)).to.include("target_voice_source");
    const ranges = await expectError(
      await vcJson({
        input_audio_source: "take1",
        target_voice_source: "linda_johnson_01",
        chunk_sec: 0,
        pitch_shift: 13,
        export_formats: ["ogg"],
      }),
      422,
      "VALIDATION_ERROR",
    );
    const located = (ranges.detail as Array<{ loc: unknown[] }>).map((issue) => issue.loc.join("."));
    expect(located).to.include.members(["body.chunk_sec", "body.pitch_shift", "body.export_formats.0"]);
    const overlap = await expectError(
      await vcForm(buildS16Wav(SOURCE), { target_voice_source: "linda_johnson_01", chunk_sec: "2", overlap_sec: "2" }),
      422,
      "VALIDATION_ERROR",
    );
    expect(overlap.error).to.include("overlap_sec");
    const noFile = await expectError(await vcForm(undefined, { target_voice_source: "x" }), 422, "VALIDATION_ERROR");
    expect(noFile.error).to.include("input_audio");
    const text = await fetch(`${app!.baseUrl}/api/v1/vc`, { method: "POST", body: "input=take1" });
    expect((await expectError(text, 415, "UNSUPPORTED_MEDIA_TYPE")).error).to.include("multipart/form-data");
    const notAudio = await vcForm(Buffer.from("just text, not audio"), { target_voice_source: "linda_johnson_01" });
    await expectError(notAudio, 400, "INVALID_AUDIO");
    await expectError(
      await vcJson({ input_audio_source: "nope.wav", target_voice_source: "linda_johnson_01" }),
      404,
      "RESOURCE_NOT_FOUND",
    );
    expect(backend.convertCalls).to.have.length(0);
  });

  it("fails the whole request, naming the chunk, when one chunk fails: never silence in its place", async () => {
    await start("", {
      beforeConvert: (call) => {
        if (call === 1) throw new InferenceFailedError("the engine ran out of memory");
      },
    });
    const body = await expectError(
      await vcJson({
        input_audio_source: "take1",
        target_voice_source: "linda_johnson_01",
        chunk_sec: 2,
        overlap_sec: 0,
      }),
      500,
      "INFERENCE_FAILED",
    );
    expect(body.error).to.equal("Voice conversion failed at chunk 2 of 3 (2-4 s): the engine ran out of memory");
    expect((await readdir(app!.config.paths.outputs)).filter((name) => name.startsWith("vc_"))).to.deep.equal([]);
  });

  it("runs the post-processing chain, keeps the uncompacted original when asked, and reports unused fields", async () => {
    await start();
    const json = await ok(
      await vcJson({
        input_audio_source: "take1",
        target_voice_source: "linda_johnson_01",
        export_formats: ["wav"],
        normalize_audio: true,
        normalize_method: "peak",
        use_auto_editor: true,
        keep_original_wav_ae: true,
        trim_threshold_ms: 300,
        colour: "blue",
      }),
    );
    expect(json.warnings).to.deep.equal([
      "Unknown field 'colour' is not part of the VC request and was not used",
      "trim_threshold_ms had no effect: trim=false switches that stage off",
    ]);
    const [main, original] = json.output_files;
    expect(original).to.include({ format: "wav", variant: "original" });
    expect(original!.filename).to.equal(main!.filename.replace(/\.wav$/, "_original.wav"));
    const companion = JSON.parse(await readFile(join(app!.config.paths.outputs, `${main!.filename}.json`), "utf8"));
    const stages = companion.generation_info.post_processing as Array<{ name: string }>;
    expect(stages.map((stage) => stage.name)).to.deep.equal(["silence_compaction", "loudness"]);
    expect(companion.files).to.have.keys("wav", "original_wav");
    const peak = (await decodeAudio(await download(main!.url))).samples.reduce((m, x) => Math.max(m, Math.abs(x)), 0);
    expect(20 * Math.log10(peak)).to.be.closeTo(companion.parameters.normalize_tp, 0.6);
  });
});
