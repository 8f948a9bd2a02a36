import { readdir, readFile, stat } from "node:fs/promises";
import { join, relative } from "node:path";
import { expect } from "chai";
import { durationSeconds } from "../../../src/audio/pcm.js";
import { decodeAudio } from "../../helpers/audio-file.js";
import { cuesOf } from "../../helpers/caption-cues.js";
import { FakeInferenceBackend, FAKE_SAMPLE_RATE } from "../../helpers/fake-inference-backend.js";
import { probeAudio } from "../../helpers/ffprobe.js";
import { startTestApp, type TestApp } from "../../helpers/test-app.js";

const NAME = /^tts_\d{4}-\d{2}-\d{2}_\d{6}_\d{6}_temp0\.75\.(wav|mp3|flac)$/;

/** Every file below `dir`, as paths relative to it. */
async function listFiles(dir: string, prefix = ""): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  const nested = await Promise.all(
    entries.map((e) =>
      e.isDirectory() ? listFiles(join(dir, e.name), `${prefix}${e.name}/`) : [`${prefix}${e.name}`],
    ),
  );
  return nested.flat().sort();
}

describe("POST /api/v1/tts delivery (fake engine)", () => {
  let app: TestApp;
  let backend: FakeInferenceBackend;

  beforeEach(async () => {
    backend = new FakeInferenceBackend();
    app = await startTestApp({ backend });
  });
  afterEach(() => app.dispose());

  const tts = (body: object, query = "") =>
    fetch(`${app.baseUrl}/api/v1/tts${query}`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(body),
    });

  it("streams a 32-bit float 24 kHz mono WAV by default, naming the other formats", async () => {
    const response = await tts({ text: "Hello there. How are you today?" });
    expect(response.status).to.equal(200);
    expect(response.headers.get("content-type")).to.equal("audio/wav");
    const disposition = response.headers.get("content-disposition") ?? "";
    const filename = /^attachment; filename="(.+)"$/.exec(disposition)?.[1] ?? "";
    expect(filename).to.match(NAME);
    const alternatives = response.headers.get("x-alternative-formats") ?? "";
    expect(alternatives).to.equal(`mp3:/outputs/${filename.replace(/\.wav$/, ".mp3")}`);
    const bytes = Buffer.from(await response.arrayBuffer());
    expect(response.headers.get("content-length")).to.equal(String(bytes.length));
    expect(await probeAudio(bytes)).to.include({ codecName: "pcm_f32le", sampleRate: FAKE_SAMPLE_RATE, channels: 1 });
    expect(durationSeconds(await decodeAudio(bytes))).to.be.greaterThan(0.5);
  });

  it("keeps exactly the requested formats, each with its .json companion, and no temp files", async () => {
    const response = await tts({ text: "One file set.", export_formats: ["FLAC", "mp3"] }, "?response_mode=json");
    expect(response.status).to.equal(200);
    const body = (await response.json()) as {
      output_files: Array<{ format: string; filename: string; url: string; path: string }>;
    };
    expect(body.output_files.map((f) => f.format)).to.deep.equal(["flac", "mp3"]);
    const stem = body.output_files[0]!.filename.replace(/\.flac$/, "");
    expect(await listFiles(app.config.paths.outputs)).to.deep.equal(
      [`${stem}.flac`, `${stem}.flac.json`, `${stem}.mp3`, `${stem}.mp3.json`].sort(),
    );
    expect(await readdir(app.config.paths.temp)).to.deep.equal([]);
    const companion = JSON.parse(await readFile(join(app.config.paths.outputs, `${stem}.mp3.json`), "utf8"));
    expect(companion).to.deep.include({ type: "tts", files: { flac: `${stem}.flac`, mp3: `${stem}.mp3` } });
    expect(companion.parameters).to.include({ text: "One file set.", temperature: 0.75 });
    expect(companion.generation_info).to.include({
      engine: "espeak",
      sample_rate: FAKE_SAMPLE_RATE,
      chunks_processed: 1,
    });
  });

  it("answers JSON whose URLs download the files with their content types", async () => {
    const response = await tts({ text: "Download me.", export_formats: ["wav", "mp3", "flac"] }, "?response_mode=url");
    const body = (await response.json()) as {
      success: boolean;
      generation_seed_used: number;
      processing_time_seconds: number;
      output_files: Array<{ format: string; url: string; path: string }>;
      warnings: string[];
    };
    expect(body.success).to.equal(true);
    expect(body.generation_seed_used).to.be.within(1, 4294967295);
    expect(body.processing_time_seconds).to.be.a("number");
    const types: Record<string, string> = { wav: "audio/wav", mp3: "audio/mpeg", flac: "audio/flac" };
    for (const file of body.output_files) {
      const download = await fetch(`${app.baseUrl}${file.url}`);
      expect(download.status).to.equal(200);
      expect(download.headers.get("content-type")).to.equal(types[file.format]);
      const bytes = Buffer.from(await download.arrayBuffer());
      expect(bytes.length).to.equal(
        (await stat(join(app.config.paths.outputs, file.url.replace("/outputs/", "")))).size,
      );
    }
    const mp3 = Buffer.from(await (await fetch(`${app.baseUrl}${body.output_files[1]!.url}`)).arrayBuffer());
    expect(mp3.subarray(0, 3).toString("latin1") === "ID3" || (mp3[0] === 0xff && (mp3[1]! & 0xe0) === 0xe0)).to.equal(
      true,
    );
    const flac = body.output_files[2]!;
    expect(flac.path).to.equal(
      relative(process.cwd(), join(app.config.paths.outputs, flac.url.replace("/outputs/", ""))),
    );
  });

  it("streams the return_format file, and the query's response_mode wins over the body's", async () => {
    const response = await tts(
      { text: "Format choice.", export_formats: ["wav", "mp3"], response_mode: "json" },
      "?response_mode=download&return_format=mp3",
    );
    expect(response.status).to.equal(200);
    expect(response.headers.get("content-type")).to.equal("audio/mpeg");
    expect(response.headers.get("x-alternative-formats")).to.match(/^wav:\/outputs\/tts_.+\.wav$/);
  });

  it("writes SRT and WebVTT captions beside the audio whose cues cover it, in the text's own case", async () => {
    const text = "The Lighthouse stood on the rock. Every evening the Keeper climbed the steps. He lit the lamp.";
    const response = await tts(
      {
        text,
        export_formats: ["wav", "srt", "vtt"],
        smart_batch_short_sentences: false,
        bypass_whisper_checking: true,
      },
      "?response_mode=json",
    );
    expect(response.status, await response.clone().text()).to.equal(200);
    const body = (await response.json()) as { output_files: Array<{ format: string; url: string }> };
    const byFormat = new Map(body.output_files.map((file) => [file.format, file.url.replace("/outputs/", "")]));
    expect([...byFormat.keys()].sort()).to.deep.equal(["srt", "vtt", "wav"]);
    const read = (format: string) => readFile(join(app.config.paths.outputs, byFormat.get(format)!), "utf8");
    const [srt, vtt] = await Promise.all([read("srt"), read("vtt")]);
    const audioMs = durationSeconds(await decodeAudio(join(app.config.paths.outputs, byFormat.get("wav")!))) * 1000;

    expect(vtt.startsWith("WEBVTT\n\n")).to.equal(true);
    const cues = cuesOf(srt);
    expect(cuesOf(vtt)).to.deep.equal(cues);
    // One cue per sentence here (each is a segment, short enough for one cue), back to back from 0 to the end.
    expect(cues).to.have.length(3);
    expect(cues[0]!.startMs).to.equal(0);
    cues.slice(1).forEach((cue, i) => expect(cue.startMs).to.equal(cues[i]!.endMs));
    expect(cues.at(-1)!.endMs).to.be.closeTo(audioMs, 1);
    // The engine was sent the text lower-cased (to_lowercase is on by default); the captions show it as written.
    expect(cues.map((cue) => cue.text).join(" ")).to.equal(text);
    expect(backend.calls.flatMap((call) => call.segments.map((s) => s.text)).join(" ")).to.equal(text.toLowerCase());
  });

  it("writes into a project folder created on demand, with folder as an alias", async () => {
    const first = await tts({ text: "Chapter one.", project: "book/ch1" }, "?response_mode=json");
    const second = await tts(
      { text: "Chapter two.", folder: "book/ch2", export_formats: ["wav"] },
      "?response_mode=json",
    );
    const urls = [first, second].map(
      async (r) => ((await r.json()) as { output_files: Array<{ url: string }> }).output_files[0]!.url,
    );
    expect(await urls[0]).to.match(/^\/outputs\/book\/ch1\/tts_/);
    expect(await urls[1]).to.match(/^\/outputs\/book\/ch2\/tts_/);
    expect(await readdir(join(app.config.paths.outputs, "book"))).to.deep.equal(["ch1", "ch2"]);
  });

  it("rejects project paths that leave outputs/ with 400 INVALID_PATH before any inference", async () => {
    for (const project of ["../escape", "/etc", "a/../../b", "bad\u0000name"]) {
      const response = await tts({ text: "Nope.", project });
      expect(response.status, project).to.equal(400);
      expect(await response.json()).to.include({ success: false, error_code: "INVALID_PATH" });
    }
    expect(backend.calls).to.have.length(0);
  });
});
