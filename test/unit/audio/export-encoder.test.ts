import { expect } from "chai";
import { access, mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { availableParallelism, tmpdir } from "node:os";
import { basename, join } from "node:path";
import { AudioToolError } from "../../../src/audio/audio-errors.js";
import { ExportEncoder, type ExportRequest } from "../../../src/audio/export-encoder.js";
import type { EncodeFileOptions } from "../../../src/audio/ffmpeg.js";
import { TaskLimiter } from "../../../src/audio/task-limiter.js";
import { encodeWav } from "../../../src/audio/wav.js";
import { EXPORT_FORMATS, type ExportFormat } from "../../../src/domain/tts-fields.js";
import { probeFile } from "../../helpers/ffprobe-file.js";
import { harmonicTone, mono } from "../../helpers/wav-builder.js";
import { rejection } from "../../helpers/rejection.js";

const RATE = 24000;
const SETTINGS = { mp3BitrateKbps: 320, opusBitrateKbps: 96, aacBitrateKbps: 160 };

/** A stand-in encoder that records how many encodes run at once; each finishes when released. */
class FakeEncoder {
  active = 0;
  maxActive = 0;
  readonly started: EncodeFileOptions[] = [];
  private gates: Array<() => void> = [];
  private onStart: Array<() => void> = [];

  readonly encode = async (options: EncodeFileOptions): Promise<void> => {
    this.active += 1;
    this.maxActive = Math.max(this.maxActive, this.active);
    this.started.push(options);
    this.onStart.splice(0).forEach((notify) => notify());
    try {
      await new Promise<void>((resolve, reject) => {
        this.gates.push(resolve);
        options.signal?.addEventListener("abort", () => reject(options.signal!.reason as Error));
      });
      await writeFile(options.outputPath, options.format);
    } finally {
      this.active -= 1;
    }
  };

  /** Resolves once `count` encodes have started in all. */
  async untilStarted(count: number): Promise<void> {
    while (this.started.length < count) await new Promise<void>((resolve) => this.onStart.push(resolve));
  }

  /** Lets every encode started so far finish. */
  release(): void {
    this.gates.splice(0).forEach((open) => open());
  }
}

describe("audio/export-encoder", () => {
  let dir: string;
  let masterPath: string;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), "export-encoder-test-"));
    masterPath = join(dir, "master.wav");
    const pcm = mono(RATE, harmonicTone({ f0: 140, seconds: 1, sampleRate: RATE, harmonics: [0.4, 0.2] }));
    await writeFile(masterPath, encodeWav(pcm));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  function request(formats: readonly ExportFormat[], extra: Partial<ExportRequest> = {}): ExportRequest {
    return { masterPath, sampleRate: RATE, formats, wavSampleFormat: "f32", outputDir: dir, ...extra };
  }

  it("encodes every format once from the one master with ffmpeg; f32 wav is the master itself", async () => {
    const files = await new ExportEncoder({ settings: SETTINGS }).encodeAll(request(EXPORT_FORMATS));
    expect([...files.keys()]).to.deep.equal([...EXPORT_FORMATS]);
    expect(files.get("wav")).to.equal(masterPath);
    const names = [...files.values()].filter((path) => path !== masterPath).map((path) => basename(path));
    expect(names).to.deep.equal(["export.mp3", "export.flac", "export.opus", "export.m4a", "export.pcm"]);
    const codecs = await Promise.all(
      ["mp3", "flac", "opus", "aac"].map(
        async (format) => (await probeFile(files.get(format as ExportFormat)!)).codecName,
      ),
    );
    expect(codecs).to.deep.equal(["mp3", "flac", "opus", "aac"]);
  });

  it("encodes wav from the master in the requested integer sample format", async () => {
    const files = await new ExportEncoder({ settings: SETTINGS }).encodeAll(
      request(["wav", "wav"], { wavSampleFormat: "s24" }),
    );
    expect(files.size).to.equal(1);
    expect(basename(files.get("wav")!)).to.equal("export.wav");
    expect(await probeFile(files.get("wav")!)).to.include({ codecName: "pcm_s24le", bitsPerSample: 24 });
  });

  it("passes the master, its rate, the settings and the wav sample format to each encode", async () => {
    const fake = new FakeEncoder();
    const encoder = new ExportEncoder({ settings: SETTINGS, encode: fake.encode, limiter: new TaskLimiter(8) });
    const pending = encoder.encodeAll(request(["opus", "wav"], { wavSampleFormat: "s16" }));
    await fake.untilStarted(2);
    fake.release();
    await pending;
    expect(fake.started.map(({ signal: _signal, ...rest }) => rest)).to.deep.equal([
      {
        inputPath: masterPath,
        inputSampleRate: RATE,
        outputPath: join(dir, "export.opus"),
        format: "opus",
        wavSampleFormat: "s16",
        settings: SETTINGS,
      },
      {
        inputPath: masterPath,
        inputSampleRate: RATE,
        outputPath: join(dir, "export.wav"),
        format: "wav",
        wavSampleFormat: "s16",
        settings: SETTINGS,
      },
    ]);
  });

  it("runs at most the limiter's number of encodes at once and finishes them all", async () => {
    const fake = new FakeEncoder();
    const encoder = new ExportEncoder({ settings: SETTINGS, encode: fake.encode, limiter: new TaskLimiter(2) });
    const pending = encoder.encodeAll(request(["mp3", "flac", "opus", "aac", "pcm"]));
    // Each released pair hands its slots to the next two, one by one.
    for (const started of [2, 4]) {
      await fake.untilStarted(started);
      expect(fake.active, `with ${started} started`).to.equal(2);
      fake.release();
    }
    await fake.untilStarted(5);
    fake.release();
    expect((await pending).size).to.equal(5);
    expect(fake.maxActive).to.equal(2);
    expect(fake.started).to.have.length(5);
  });

  it("shares one bound of one encode per core across every encoder by default", async () => {
    const cores = availableParallelism();
    const fake = new FakeEncoder();
    // Enough requests, on separate encoders, to want more encodes at once than there are cores.
    const requests = Math.ceil((cores + 1) / 5) + 1;
    const pending = Array.from({ length: requests }, (_, i) =>
      new ExportEncoder({ settings: SETTINGS, encode: fake.encode }).encodeAll(
        request(["mp3", "flac", "opus", "aac", "pcm"], { outputDir: dir, masterPath: join(dir, `master-${i}.wav`) }),
      ),
    );
    const total = requests * 5;
    await fake.untilStarted(Math.min(cores, total));
    while (fake.started.length < total) {
      const next = fake.started.length + 1;
      fake.release();
      await fake.untilStarted(next);
    }
    fake.release();
    await Promise.all(pending);
    expect(fake.maxActive).to.equal(Math.min(cores, requests * 5));
  });

  it("fails as a whole when one encode fails: the others are stopped and no encoded file is left", async () => {
    const failure = new AudioToolError("ffmpeg failed to encode mp3", "AUDIO_TOOL_FAILED");
    const finished: string[] = [];
    const stopped: string[] = [];
    const encode = async (options: EncodeFileOptions): Promise<void> => {
      if (options.format === "flac") {
        await writeFile(options.outputPath, "flac");
        finished.push("flac");
        return;
      }
      if (options.format === "mp3") {
        // Fails once the others are under way.
        await new Promise((resolve) => setImmediate(resolve));
        throw failure;
      }
      await new Promise<void>((_, reject) =>
        options.signal!.addEventListener("abort", () => {
          stopped.push(options.format);
          reject(options.signal!.reason as Error);
        }),
      );
    };
    const encoder = new ExportEncoder({ settings: SETTINGS, encode, limiter: new TaskLimiter(8) });
    expect(await rejection(encoder.encodeAll(request(["wav", "flac", "mp3", "opus", "aac"])))).to.equal(failure);
    expect(finished).to.deep.equal(["flac"]);
    expect(stopped.sort()).to.deep.equal(["aac", "opus"]);
    expect(await readdir(dir)).to.deep.equal(["master.wav"]);
  });

  it("does not start encodes still waiting for a slot once the request has failed", async () => {
    const started: string[] = [];
    const encode = async (options: EncodeFileOptions): Promise<void> => {
      started.push(options.format);
      throw new AudioToolError(`ffmpeg failed to encode ${options.format}`, "AUDIO_TOOL_FAILED");
    };
    const encoder = new ExportEncoder({ settings: SETTINGS, encode, limiter: new TaskLimiter(1) });
    const error = await rejection(encoder.encodeAll(request(["mp3", "flac", "opus"])));
    expect((error as Error).message).to.equal("ffmpeg failed to encode mp3");
    expect(started).to.deep.equal(["mp3"]);
  });

  it("stops every encode and rejects with the reason when the request's signal aborts", async () => {
    const fake = new FakeEncoder();
    const controller = new AbortController();
    const encoder = new ExportEncoder({ settings: SETTINGS, encode: fake.encode, limiter: new TaskLimiter(8) });
    const pending = encoder.encodeAll(request(["mp3", "opus"], { signal: controller.signal }));
    await fake.untilStarted(2);
    const reason = new Error("client went away");
    controller.abort(reason);
    expect(await rejection(pending)).to.equal(reason);
    expect(
      await access(join(dir, "export.mp3")).then(
        () => true,
        () => false,
      ),
    ).to.equal(false);
  });
});
