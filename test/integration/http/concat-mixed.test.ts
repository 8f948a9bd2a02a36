/**
 * POST /api/v1/concat/mixed over HTTP with the real audio core: server files, uploads of other formats,
 * rates and channel counts, and silences joined by the same gap rule as /concat; its files get real name
 * parameters (the original's were always `default`) and list as `concat`.
 */
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { expect } from "chai";
import { execa } from "execa";
import { encodeWav } from "../../../src/audio/wav.js";
import { decodeAudio, rmsDbfs } from "../../helpers/audio-file.js";
import { FakeInferenceBackend } from "../../helpers/fake-inference-backend.js";
import { probeAudio } from "../../helpers/ffprobe.js";
import { startTestApp, type TestApp } from "../../helpers/test-app.js";
import { buildS16Wav, mono, sine } from "../../helpers/wav-builder.js";

type Json = Record<string, any>;
const RATE = 24_000;
const tone = (seconds: number, freq = 440, amplitude = 0.3) =>
  mono(RATE, sine({ freq, seconds, sampleRate: RATE, amplitude }));

/** Zero crossings per second / 2: the frequency of a pure tone, to show a resampled clip kept its pitch. */
function toneFrequency(samples: Float32Array, sampleRate: number): number {
  let crossings = 0;
  for (let i = 1; i < samples.length; i++) if (samples[i - 1]! < 0 !== samples[i]! < 0) crossings++;
  return crossings / 2 / (samples.length / sampleRate);
}

describe("POST /api/v1/concat/mixed", () => {
  let app: TestApp;
  let stereo48k: Buffer;
  let mp3: Buffer;
  before(async () => {
    app = await startTestApp({ backend: new FakeInferenceBackend() });
    await writeFile(join(app.config.paths.outputs, "jingle.wav"), encodeWav(tone(0.5, 880)));
    // A 48 kHz stereo WAV and a 24 kHz MP3, made by ffmpeg from the tests' own tones.
    const source = join(app.dir, "tone.wav");
    await writeFile(source, buildS16Wav(tone(1, 440)));
    // To files, not pipes: ffmpeg writes the MP3's gapless header (encoder delay and padding) only when it can seek.
    const convert = async (name: string, args: string[]) => {
      await execa("ffmpeg", ["-v", "error", "-i", source, ...args, join(app.dir, name)]);
      return readFile(join(app.dir, name));
    };
    stereo48k = await convert("stereo.wav", ["-ac", "2", "-ar", "48000", "-c:a", "pcm_s16le"]);
    mp3 = await convert("outro.mp3", ["-c:a", "libmp3lame", "-b:a", "128k"]);
  });
  after(() => app.dispose());

  function mixed(request: object, uploads: Array<[Buffer, string]>, query = "?response_mode=json") {
    const form = new FormData();
    form.set("request_json", JSON.stringify(request));
    for (const [bytes, name] of uploads) form.append("uploaded_files", new Blob([new Uint8Array(bytes)]), name);
    return fetch(`${app.baseUrl}/api/v1/concat/mixed${query}`, { method: "POST", body: form });
  }

  async function ok(response: Response): Promise<Json> {
    expect(response.status, await response.clone().text()).to.equal(200);
    return (await response.json()) as Json;
  }

  const download = async (url: string) => Buffer.from(await (await fetch(`${app.baseUrl}${url}`)).arrayBuffer());

  it("joins a server file, uploads (one used twice) and a silence, converting every clip to the first one's layout", async () => {
    const segments = [
      { type: "upload", index: 0 },
      { type: "silence", source: "(0.5s)" },
      { type: "server_file", source: "jingle.wav" },
      { type: "upload", index: 1 },
      { type: "upload", index: 0 },
    ];
    const json = await ok(
      await mixed({ segments, normalize_levels: false, project: "podcast" }, [
        [stereo48k, "interview.wav"],
        [mp3, "outro.mp3"],
      ]),
    );
    expect(json.output_files[0].filename).to.match(/^mixed_\d{4}-\d\d-\d\d_\d{6}_\d{6}_4files_sil1\.wav$/);
    expect(json).to.include({ file_count: 4, seed_used: null });
    expect(json.metadata).to.include({ sample_rate: 48_000, channels: 2, upload_count: 2 });
    const bytes = await download(json.output_files[0].url);
    expect(await probeAudio(bytes)).to.include({ sampleRate: 48_000, channels: 2 });
    const audio = await decodeAudio(bytes);
    // 1 s + 0.5 s + 0.5 s + the MP3 (1 s, give or take part of a frame) + 1 s, butt-joined.
    expect(audio.samples.length / 48_000).to.be.closeTo(4, 0.01);
    const outro = audio.samples.subarray(2 * 48_000 + 4_800, 3 * 48_000 - 4_800);
    expect(toneFrequency(outro, 48_000)).to.be.closeTo(440, 2);
    const jingle = audio.samples.subarray(1.5 * 48_000 + 2_400, 2 * 48_000 - 2_400);
    expect(toneFrequency(jingle, 48_000)).to.be.closeTo(880, 2);

    const companion = (await (await fetch(`${app.baseUrl}${json.output_files[0].url}.json`)).json()) as Json;
    expect(companion).to.include({ type: "concat", endpoint: "/api/v1/concat/mixed" });
    expect(companion.parameters.segments).to.deep.equal(segments);
    expect(companion.source_files).to.deep.equal([
      { type: "upload", index: 0, filename: "interview.wav", size_bytes: stereo48k.length },
      { type: "server_file", path: "jingle.wav", size_bytes: 12_000 * 4 + 58 },
      { type: "upload", index: 1, filename: "outro.mp3", size_bytes: mp3.length },
    ]);
    const listing = (await (await fetch(`${app.baseUrl}/api/v1/outputs?project=podcast`)).json()) as Json;
    expect(listing.files[0]).to.include({ generation_type: "concat", filename: json.output_files[0].filename });
  });

  it("applies the one gap rule: manual silences where given, pauses elsewhere, never after the last clip", async () => {
    const segments = [
      { type: "server_file", source: "jingle.wav" },
      { type: "silence", source: "(300ms)" },
      { type: "upload", index: 0 },
      { type: "upload", index: 0, gain: 2 },
    ];
    const request = { segments, pause_duration_ms: 500, seed: 7, normalize_levels: true, export_formats: ["wav"] };
    const json = await ok(await mixed(request, [[buildS16Wav(tone(0.4, 330, 0.1)), "take.wav"]]));
    expect((json.metadata.gaps as Json[]).map((gap) => gap.type)).to.deep.equal(["silence", "pause"]);
    const pause = json.metadata.gaps[1] as Json;
    expect(pause.ms).to.be.within(300, 700);
    expect(json.output_files[0].filename).to.match(/_3files_sil1_pause500v200_leveled\.wav$/);
    expect(json.warnings).to.deep.equal([
      "Unknown field 'segments[3].gain' is not part of the mixed concat request and was not used",
    ]);
    expect(json.metadata.frames).to.equal(12_000 + 7_200 + 9_600 + 9_600 + pause.frames);
    const audio = await decodeAudio(await download(json.output_files[0].url));
    expect(rmsDbfs(audio.samples.subarray(19_200 + 2_400, 28_800 - 2_400))).to.be.closeTo(-20, 0.2);
  });

  it("streams the file when one format is asked for, replacing a named output only with overwrite", async () => {
    const request = { segments: [{ type: "upload", index: 0 }], output_filename: "take one", export_formats: ["flac"] };
    const streamed = await mixed(request, [[buildS16Wav(tone(0.2)), "a.wav"]], "");
    expect(streamed.status, await streamed.clone().text()).to.equal(200);
    expect(streamed.headers.get("content-type")).to.equal("audio/flac");
    expect(streamed.headers.get("content-disposition")).to.equal('attachment; filename="take one.flac"');
    expect((await decodeAudio(Buffer.from(await streamed.arrayBuffer()))).samples.length).to.equal(4_800);

    const again = await mixed(request, [[buildS16Wav(tone(0.3)), "b.wav"]], "");
    expect(again.status).to.equal(409);
    const replaced = await mixed({ ...request, overwrite: true }, [[buildS16Wav(tone(0.3)), "b.wav"]], "");
    expect(replaced.status).to.equal(200);
    const stored = await readFile(join(app.config.paths.outputs, "take one.flac"));
    expect((await decodeAudio(stored)).samples.length).to.equal(7_200);
  });
});
