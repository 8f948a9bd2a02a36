/**
 * The concat settings that shape the audio beyond gaps: trimming, a loudness target for the whole result, the
 * output layout from config, and progress lines in the log for long joins (a few hundred clips here).
 */
import { Writable } from "node:stream";
import { readdir, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { expect } from "chai";
import { pino } from "pino";
import { encodeWav } from "../../../src/audio/wav.js";
import { createJobRequestParsers } from "../../../src/http/schemas/job-request.js";
import { createServices, type Services } from "../../../src/services/create-services.js";
import { decodeAudio } from "../../helpers/audio-file.js";
import { FakeInferenceBackend } from "../../helpers/fake-inference-backend.js";
import { probeAudio } from "../../helpers/ffprobe.js";
import { ebur128 } from "../../helpers/loudness-meter.js";
import { appOver, makeDataDir, readySource, startTestApp, type TestApp } from "../../helpers/test-app.js";
import { serve, type TestServer } from "../../helpers/test-server.js";
import { joinSamples, mono, silence, sine } from "../../helpers/wav-builder.js";

type Json = Record<string, any>;
const RATE = 24_000;
const tone = (seconds: number, amplitude = 0.3) => sine({ freq: 440, seconds, sampleRate: RATE, amplitude });

async function concatJson(baseUrl: string, body: object): Promise<Json> {
  const response = await fetch(`${baseUrl}/api/v1/concat?response_mode=json`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(body),
  });
  expect(response.status, await response.clone().text()).to.equal(200);
  return (await response.json()) as Json;
}

describe("POST /api/v1/concat: trim, loudness, layout and progress", () => {
  let app: TestApp | undefined;
  afterEach(async () => {
    await app?.dispose();
    app = undefined;
  });

  async function start(yaml = ""): Promise<TestApp> {
    app = await startTestApp({ backend: new FakeInferenceBackend(), yaml });
    const padded = joinSamples(silence(0.3, RATE), tone(0.4), silence(0.3, RATE));
    await writeFile(join(app.config.paths.outputs, "padded.wav"), encodeWav(mono(RATE, padded)));
    await writeFile(join(app.config.paths.outputs, "long.wav"), encodeWav(mono(RATE, tone(2, 0.1))));
    return app;
  }

  it("trims each clip's silent edges down to trim_threshold_ms and records what it removed", async () => {
    const { baseUrl } = await start();
    const json = await concatJson(baseUrl, { files: ["padded.wav", "padded.wav"], trim: true, trim_threshold_ms: 100 });
    expect(json.output_files[0].filename).to.match(/_2files_leveled_trim100\.wav$/);
    for (const item of json.metadata.items as Json[]) {
      expect(item.leading_trimmed_ms).to.be.closeTo(200, 2);
      expect(item.trailing_trimmed_ms).to.be.closeTo(200, 2);
      expect(item.source_seconds).to.equal(1);
    }
    expect(json.total_duration_seconds).to.be.closeTo(1.2, 0.004);
  });

  it("brings the whole result to loudness_target_lufs", async () => {
    const { baseUrl } = await start();
    const json = await concatJson(baseUrl, {
      files: ["long.wav", "(500ms)", "long.wav"],
      normalize_levels: false,
      loudness_target_lufs: -16,
    });
    expect(json.metadata.loudness).to.include({ target_lufs: -16 });
    expect(json.metadata.loudness.output_lufs).to.be.closeTo(-16, 0.5);
    const audio = await decodeAudio(
      Buffer.from(await (await fetch(`${baseUrl}${json.output_files[0].url}`)).arrayBuffer()),
    );
    expect((await ebur128(audio)).integrated).to.be.closeTo(-16, 0.5);
  });

  it("writes every result at the configured rate and channel count, silences exact at that rate", async () => {
    const { baseUrl } = await start("concat:\n  sample_rate: 16000\n  channels: 2\n");
    const json = await concatJson(baseUrl, { files: ["long.wav", "(250ms)", "padded.wav"], export_formats: ["wav"] });
    expect(json.metadata).to.include({ sample_rate: 16_000, channels: 2, frames: 32_000 + 4_000 + 16_000 });
    const bytes = Buffer.from(await (await fetch(`${baseUrl}${json.output_files[0].url}`)).arrayBuffer());
    expect(await probeAudio(bytes)).to.include({ sampleRate: 16_000, channels: 2 });
  });

  describe("a long join, with the log watched", () => {
    let dir: string | undefined;
    let services: Services | undefined;
    let server: TestServer | undefined;
    let outputs: string;
    let temp: string;
    const lines: Json[] = [];
    const waiting: Array<{ test: (line: Json) => boolean; found: () => void }> = [];

    /** Resolves once a log line passes `test` (lines already logged count). */
    function logged(test: (line: Json) => boolean): Promise<void> {
      if (lines.some(test)) return Promise.resolve();
      return new Promise((found) => waiting.push({ test, found }));
    }

    before(async () => {
      const data = await makeDataDir();
      dir = data.dir;
      ({ outputs, temp } = data.config.paths);
      const sink = new Writable({
        write(chunk: Buffer, _encoding, done) {
          for (const text of chunk.toString().trim().split("\n")) {
            const line = JSON.parse(text) as Json;
            lines.push(line);
            for (const wait of waiting.filter((w) => w.test(line))) wait.found();
          }
          done();
        },
      });
      const log = pino({ level: "info" }, sink);
      const backend = new FakeInferenceBackend();
      services = createServices(data.config, backend, log, createJobRequestParsers(data.config));
      await services.library.start();
      server = await serve(appOver(data.config, services, await readySource(backend), log));
    });
    after(async () => {
      await server?.close();
      await services?.close();
      if (dir) await rm(dir, { recursive: true, force: true });
    });

    /** `count` clips of 50 ms in outputs/, named `<prefix><i>.wav`, at `rate`. */
    async function clips(prefix: string, count: number, rate = RATE): Promise<string[]> {
      const clip = encodeWav(mono(rate, sine({ freq: 440, seconds: 0.05, sampleRate: rate, amplitude: 0.3 })));
      const files = Array.from({ length: count }, (_, i) => `${prefix}${i}.wav`);
      await Promise.all(files.map((name) => writeFile(join(outputs, name), clip)));
      return files;
    }

    it("logs its progress as clips are joined, and the end", async () => {
      const files = await clips("clip", 250);
      const json = await concatJson(server!.baseUrl, { files, export_formats: ["wav"] });
      expect(json.file_count).to.equal(250);
      const progress = lines.filter((line) => typeof line.joinedClips === "number");
      expect(progress.length).to.be.at.least(2);
      expect(progress.at(-1)).to.include({ joinedClips: 250, totalClips: 250, msg: "concat: 250 of 250 clips joined" });
      const counts = progress.map((line) => line.joinedClips as number);
      expect(counts).to.deep.equal([...counts].sort((a, b) => a - b));
      expect(progress[0]!.reqId).to.be.a("string");
    });

    it("stops when the client goes away, logging 499 and leaving no output and no scratch files", async () => {
      // Clips at another rate than the first are decoded by ffmpeg one by one: a join that takes seconds.
      const files = ["clip0.wav", ...(await clips("slow", 400, 16_000))];
      const client = new AbortController();
      const request = fetch(`${server!.baseUrl}/api/v1/concat?response_mode=json`, {
        method: "POST",
        headers: { "Content-Type": "application/json", "X-Request-ID": "going-away" },
        body: JSON.stringify({ files, output_filename: "never" }),
        signal: client.signal,
      }).catch((error: unknown) => error);
      await logged((line) => line.reqId === "going-away" && line.msg === "concat: joining");
      client.abort();
      expect(await request).to.be.instanceOf(Error);
      await logged((line) => line.reqId === "going-away" && line.msg === "request");
      const end = lines.find((line) => line.reqId === "going-away" && line.msg === "request")!;
      expect(end.status).to.equal(499);
      expect(lines.some((line) => line.reqId === "going-away" && line.msg === "unhandled error")).to.equal(false);
      expect((await readdir(outputs)).filter((name) => name.startsWith("never"))).to.deep.equal([]);
      expect((await readdir(temp)).filter((name) => name.startsWith("concat-"))).to.deep.equal([]);
    });
  });
});
