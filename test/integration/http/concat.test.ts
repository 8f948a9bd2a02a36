/**
 * POST /api/v1/concat over HTTP with the real audio core (no inference is involved): exact silences, pauses
 * in range and as the metadata says, reproducible with the seed, levels, formats, the listing, names and
 * 409/overwrite. Clips are written into outputs/ as the tests' own float WAVs; results are read with ffmpeg.
 */
import { mkdir, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { expect } from "chai";
import { encodeWav } from "../../../src/audio/wav.js";
import { decodeAudio, rmsDbfs } from "../../helpers/audio-file.js";
import { FakeInferenceBackend } from "../../helpers/fake-inference-backend.js";
import { startTestApp, type TestApp } from "../../helpers/test-app.js";
import { mono, sine } from "../../helpers/wav-builder.js";

type Json = Record<string, any>;
const RATE = 24_000;

describe("POST /api/v1/concat", () => {
  let app: TestApp;
  before(async () => {
    app = await startTestApp({ backend: new FakeInferenceBackend() });
    await clip("a.wav", { seconds: 0.5, amplitude: 0.3 });
    await clip("ep/b.wav", { seconds: 0.25, amplitude: 0.3, freq: 660 });
    await clip("c.wav", { seconds: 0.3, amplitude: 0.3, freq: 550 });
    await clip("quiet.wav", { seconds: 1, amplitude: 0.02 });
    await clip("loud.wav", { seconds: 1, amplitude: 0.6 });
  });
  after(() => app.dispose());

  /** A sine clip in outputs/ (folders created on demand). */
  async function clip(path: string, tone: { seconds: number; amplitude: number; freq?: number }) {
    const file = join(app.config.paths.outputs, path);
    await mkdir(dirname(file), { recursive: true });
    await writeFile(file, encodeWav(mono(RATE, sine({ freq: 440, sampleRate: RATE, ...tone }))));
  }

  const post = (body: object, query = "") =>
    fetch(`${app.baseUrl}/api/v1/concat${query}`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(body),
    });

  async function concatJson(body: object): Promise<Json> {
    const response = await post(body, "?response_mode=json");
    expect(response.status, await response.clone().text()).to.equal(200);
    return (await response.json()) as Json;
  }

  const download = async (url: string) => Buffer.from(await (await fetch(`${app.baseUrl}${url}`)).arrayBuffer());
  const companionOf = async (file: Json) => (await (await fetch(`${app.baseUrl}${file.url}.json`)).json()) as Json;

  it("streams one format with a manual silence of exactly the requested length and nothing else added", async () => {
    const response = await post({ files: ["a.wav", "(500ms)", "ep/b.wav"], normalize_levels: false });
    expect(response.status, await response.clone().text()).to.equal(200);
    expect(response.headers.get("content-type")).to.equal("audio/wav");
    expect(response.headers.get("content-disposition")).to.match(/^attachment; filename="concat_.*_2files_sil1\.wav"$/);
    const audio = await decodeAudio(Buffer.from(await response.arrayBuffer()));
    expect(audio.sampleRate).to.equal(RATE);
    expect(audio.samples.length).to.equal(12_000 + 12_000 + 6_000);
    expect(audio.samples.subarray(12_000, 24_000).every((x) => x === 0)).to.equal(true);
    expect(rmsDbfs(audio.samples.subarray(1_000, 11_000))).to.be.closeTo(
      rmsDbfs(new Float32Array([0.3, -0.3])) - 3,
      0.05,
    );
  });

  it("puts a natural pause within base ± variation between clips, as the metadata records, and repeats it by seed", async () => {
    const body = { files: ["a.wav", "ep/b.wav", "c.wav"], pause_duration_ms: 600, pause_variation_ms: 200 };
    const json = await concatJson({ ...body, seed: 42 });
    expect(json.output_files[0].filename).to.match(
      /^concat_\d{4}-\d\d-\d\d_\d{6}_\d{6}_3files_pause600v200_leveled\.wav$/,
    );
    expect(json).to.include({ success: true, file_count: 3, seed_used: 42 });
    const gaps = json.metadata.gaps as Json[];
    expect(gaps.map((gap) => [gap.after_item, gap.type, gap.base_ms])).to.deep.equal([
      [0, "pause", 600],
      [1, "pause", 600],
    ]);
    for (const gap of gaps) {
      expect(gap.ms).to.be.within(400, 800);
      expect(gap.variation_ms).to.equal(gap.ms - 600);
      expect(gap.frames).to.equal((gap.ms * RATE) / 1000);
    }
    const audio = await decodeAudio(await download(json.output_files[0].url));
    const [first, second] = gaps.map((gap) => gap.frames as number) as [number, number];
    // No trailing pause: the clips and the two pauses, nothing more.
    expect(audio.samples.length).to.equal(12_000 + 6_000 + 7_200 + first + second);
    expect(audio.samples.subarray(12_000, 12_000 + first).every((x) => x === 0)).to.equal(true);
    expect(json.total_duration_seconds).to.equal(audio.samples.length / RATE);

    const again = await concatJson({ ...body, seed: 42 });
    expect(again.metadata.gaps).to.deep.equal(gaps);
    const drawn = await concatJson(body);
    expect(drawn.seed_used).to.be.a("number");
    const repeated = await concatJson({ ...body, seed: drawn.seed_used });
    expect(repeated.metadata.gaps).to.deep.equal(drawn.metadata.gaps);
  });

  it("takes a short pause without a variation (it defaults to half the pause), and crossfades by the exact overlap", async () => {
    const short = await concatJson({ files: ["a.wav", "c.wav"], pause_duration_ms: 100 });
    const [pause] = short.metadata.gaps as Json[];
    expect(pause!.ms).to.be.within(50, 150);
    expect(short.output_files[0].filename).to.match(/_2files_pause100v50_leveled\.wav$/);

    const faded = await concatJson({ files: ["a.wav", "c.wav"], crossfade_ms: 100, normalize_levels: false });
    expect(faded.metadata.gaps).to.deep.equal([{ after_item: 0, type: "crossfade", ms: 100, frames: 2_400 }]);
    expect(faded.metadata.frames).to.equal(12_000 + 7_200 - 2_400);
    expect(faded.output_files[0].filename).to.match(/_2files_fade100\.wav$/);
  });

  it("sets every clip's RMS to -20 dBFS with normalize_levels, however loud it was", async () => {
    const json = await concatJson({ files: ["quiet.wav", "(200ms)", "loud.wav"] });
    const audio = await decodeAudio(await download(json.output_files[0].url));
    const loudStart = RATE + 4_800;
    // The middles, away from the short fades that keep the joins free of clicks.
    expect(rmsDbfs(audio.samples.subarray(2_400, RATE - 2_400))).to.be.closeTo(-20, 0.2);
    expect(rmsDbfs(audio.samples.subarray(loudStart + 2_400, loudStart + RATE - 2_400))).to.be.closeTo(-20, 0.2);
    const gains = (json.metadata.items as Json[]).filter((item) => item.type === "clip").map((item) => item.gain_db);
    expect(gains[0]).to.be.closeTo(-20 - rmsDbfs(new Float32Array([0.02, -0.02])) + 3, 0.05);
    expect(gains[1]).to.be.lessThan(0);
  });

  it("encodes every format from one join, lists the result as concat, and writes a companion naming its sources", async () => {
    const json = await concatJson({
      files: ["a.wav", "(250ms)", "ep/b.wav"],
      export_formats: ["wav", "MP3", "flac"],
      project: "shows/ep1",
    });
    const stems = (json.output_files as Json[]).map((file) => file.filename.replace(/\.\w+$/, ""));
    expect(new Set(stems).size).to.equal(1);
    expect((json.output_files as Json[]).map((file) => file.format)).to.deep.equal(["wav", "mp3", "flac"]);
    expect(json.output_files[0].url).to.equal(`/outputs/shows/ep1/${stems[0]}.wav`);
    for (const file of json.output_files as Json[]) {
      const audio = await decodeAudio(await download(file.url));
      expect(audio.samples.length / audio.sampleRate, file.format).to.be.closeTo(1, 0.06);
    }
    const companion = await companionOf(json.output_files[1]);
    expect(companion).to.include({ type: "concat", endpoint: "/api/v1/concat" });
    expect(companion.parameters).to.include({ project: "shows/ep1", normalize_levels: true, pause_duration_ms: 0 });
    expect(companion.parameters.files).to.deep.equal(["a.wav", "(250ms)", "ep/b.wav"]);
    expect(companion.source_files).to.deep.equal([
      { type: "server_file", path: "a.wav", size_bytes: 12_000 * 4 + 58 },
      { type: "server_file", path: "ep/b.wav", size_bytes: 6_000 * 4 + 58 },
    ]);
    expect(companion.files).to.deep.equal({ wav: `${stems[0]}.wav`, mp3: `${stems[0]}.mp3`, flac: `${stems[0]}.flac` });

    const listing = (await (
      await fetch(`${app.baseUrl}/api/v1/outputs?generation_type=concat&project=shows/ep1`)
    ).json()) as Json;
    expect((listing.files as Json[]).map((file) => file.filename).sort()).to.deep.equal(
      (json.output_files as Json[]).map((file) => file.filename).sort(),
    );
    expect(listing.files[0]).to.include({ generation_type: "concat", duration_seconds: 1 });
    expect(listing.files[0].source_files).to.have.length(2);
  });

  it("names the result after output_filename, cleaned, and answers 409 for a taken name unless overwrite is true", async () => {
    const body = { files: ["a.wav", "c.wav"], output_filename: "my:show.mp3", project: "named" };
    const first = await concatJson(body);
    expect(first.output_files[0]).to.include({ filename: "my_show.wav", url: "/outputs/named/my_show.wav" });
    expect(first.warnings).to.deep.equal(["output_filename 'my:show.mp3' was cleaned to 'my_show.mp3'"]);

    const taken = await post(body, "?response_mode=json");
    expect(taken.status).to.equal(409);
    expect(await taken.json()).to.deep.include({ error_code: "CONFLICT", detail: "named/my_show.wav" });

    const replaced = await concatJson({ ...body, files: ["a.wav", "(1s)", "c.wav"], overwrite: true });
    expect(replaced.output_files[0].filename).to.equal("my_show.wav");
    expect(replaced.total_duration_seconds).to.equal(1.8);
    const audio = await decodeAudio(await download(replaced.output_files[0].url));
    expect(audio.samples.length).to.equal(1.8 * RATE);
    const listing = (await (await fetch(`${app.baseUrl}/api/v1/outputs?project=named`)).json()) as Json;
    expect(listing.files).to.have.length(1);
    expect(listing.files[0]).to.include({ filename: "my_show.wav", duration_seconds: 1.8 });
  });

  it("honours response_mode sent only in the body, and a query value over the body's", async () => {
    const body = { files: ["a.wav", "(100ms)", "c.wav"], normalize_levels: false };
    const json = await post({ ...body, response_mode: "json" });
    expect(json.status).to.equal(200);
    expect(json.headers.get("content-type")).to.match(/^application\/json/);
    expect(((await json.json()) as Json).output_files).to.have.length(1);

    const streamed = await post({ ...body, response_mode: "stream" });
    expect(streamed.headers.get("content-type")).to.equal("audio/wav");
    expect((await decodeAudio(Buffer.from(await streamed.arrayBuffer()))).samples.length).to.equal(
      12_000 + 2_400 + 7_200,
    );

    const several = await post({ ...body, response_mode: "stream", export_formats: ["wav", "mp3"] });
    expect(((await several.json()) as Json).warnings).to.deep.equal([
      "an audio response_mode streams one file; the 2 files are described as JSON",
    ]);

    const overridden = await post({ ...body, response_mode: "stream" }, "?response_mode=json");
    expect(overridden.headers.get("content-type")).to.match(/^application\/json/);
    const invalid = await post({ ...body, response_mode: "carrier-pigeon" });
    expect(invalid.status).to.equal(422);
    expect(((await invalid.json()) as Json).detail[0].loc).to.deep.equal(["body", "response_mode"]);
  });

  it("reports settings that did nothing, and answers JSON when an audio mode meets several formats", async () => {
    const response = await post(
      {
        files: ["a.wav", "(100ms)", "c.wav"],
        pause_duration_ms: 400,
        crossfade_ms: 50,
        trim_threshold_ms: 100,
        export_formats: ["wav", "flac"],
        colour: "blue",
      },
      "?response_mode=stream",
    );
    expect(response.status).to.equal(200);
    const json = (await response.json()) as Json;
    expect(json.output_files).to.have.length(2);
    expect(json.warnings).to.deep.equal([
      "Unknown field 'colour' is not part of the concat request and was not used",
      "trim_threshold_ms had no effect: trim=false switches that stage off",
      "pause_duration_ms had no effect: no join between two clips used it (manual silences take the place of pauses)",
      "crossfade_ms had no effect: no join between two clips used it (silences and pauses take the place of crossfades)",
      "an audio response_mode streams one file; the 2 files are described as JSON",
    ]);
    expect(response.headers.get("x-warnings")).to.include("colour");
  });
});
