import { expect } from "chai";
import { execa } from "execa";
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { AudioToolError } from "../../../src/audio/audio-errors.js";
import { ExportEncoder } from "../../../src/audio/export-encoder.js";
import type { EncodeFileOptions } from "../../../src/audio/ffmpeg.js";
import { TaskLimiter } from "../../../src/audio/task-limiter.js";
import { EXPORT_FORMATS } from "../../../src/domain/tts-fields.js";
import { OutputWriter, type SpeechOutputRequest } from "../../../src/services/output-writer.js";
import { OutputStore, type PublishedFile } from "../../../src/storage/output-store.js";
import { probeFile } from "../../helpers/ffprobe-file.js";
import { harmonicTone, mono } from "../../helpers/wav-builder.js";

const RATE = 24000;
const SETTINGS = { mp3BitrateKbps: 64, opusBitrateKbps: 48, aacBitrateKbps: 64 };

describe("services/OutputWriter", () => {
  let dir: string;
  let outputs: OutputStore;
  let tempRoot: string;
  const speech = mono(RATE, harmonicTone({ f0: 140, seconds: 1, sampleRate: RATE, harmonics: [0.4, 0.2] }));

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), "output-writer-"));
    outputs = new OutputStore(join(dir, "outputs"));
    tempRoot = join(dir, "temp");
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  async function write(writer: OutputWriter, extra: Partial<SpeechOutputRequest> = {}) {
    const companions: PublishedFile[][] = [];
    const files = await writer.write({
      speech,
      formats: EXPORT_FORMATS,
      folder: await outputs.folder("book"),
      stemFor: () => "speech_1",
      metadataFor: (published) => {
        companions.push(published);
        return { files: Object.fromEntries(published.map((file) => [file.format, file.filename])) };
      },
      ...extra,
    });
    return { files, companions };
  }

  it("publishes every format under one stem, by extension on disk and by requested name in the results", async () => {
    const { files, companions } = await write(new OutputWriter({ outputs, tempRoot, encoding: SETTINGS }));
    expect(files.map((file) => [file.format, file.filename])).to.deep.equal([
      ["wav", "speech_1.wav"],
      ["mp3", "speech_1.mp3"],
      ["flac", "speech_1.flac"],
      ["opus", "speech_1.opus"],
      ["aac", "speech_1.m4a"],
      ["pcm", "speech_1.pcm"],
    ]);
    expect(files.map((file) => file.url)).to.include("/outputs/book/speech_1.m4a");
    expect(companions).to.deep.equal([files]);
    const companion = JSON.parse(await readFile(join(dir, "outputs/book/speech_1.m4a.json"), "utf8"));
    expect(companion.files).to.include({ aac: "speech_1.m4a", opus: "speech_1.opus", pcm: "speech_1.pcm" });
    const codecs = await Promise.all(
      files.slice(0, 5).map(async (file) => (await probeFile(file.absolutePath)).codecName),
    );
    expect(codecs).to.deep.equal(["pcm_f32le", "mp3", "flac", "opus", "aac"]);
    expect((await stat(files[5]!.absolutePath)).size).to.equal(speech.samples.length * 2);
    expect(await readdir(tempRoot)).to.deep.equal([]);
  });

  it("writes wav in the requested sample format and the bitrates it was built with", async () => {
    const writer = new OutputWriter({ outputs, tempRoot, encoding: SETTINGS });
    const { files } = await write(writer, { formats: ["wav", "mp3"], wavSampleFormat: "s16" });
    expect(await probeFile(files[0]!.absolutePath)).to.include({ codecName: "pcm_s16le", bitsPerSample: 16 });
    expect((await probeFile(files[1]!.absolutePath)).bitRate).to.equal(64000);
  });

  it("publishes from a stereo master already on disk, leaving the master as it was", async () => {
    const masterPath = join(dir, "master.wav");
    await execa(
      "ffmpeg",
      ["-v", "error", "-f", "lavfi", "-i", "sine=frequency=440:duration=1:sample_rate=44100"].concat([
        "-ac",
        "2",
        "-c:a",
        "pcm_f32le",
        masterPath,
      ]),
    );
    const before = await readFile(masterPath);
    const writer = new OutputWriter({ outputs, tempRoot, encoding: SETTINGS });
    const files = await writer.writeFromMaster({
      masterPath,
      sampleRate: 44_100,
      formats: ["wav", "flac", "mp3"],
      folder: await outputs.folder("joined"),
      stemFor: () => "concat_1",
      metadataFor: () => ({ type: "concat" }),
    });
    expect(files.map((file) => file.relativePath)).to.deep.equal([
      "joined/concat_1.wav",
      "joined/concat_1.flac",
      "joined/concat_1.mp3",
    ]);
    expect(await readFile(files[0]!.absolutePath)).to.deep.equal(before);
    for (const file of files.slice(1)) {
      expect(await probeFile(file.absolutePath), file.format).to.include({ channels: 2, sampleRate: 44_100 });
    }
    expect(await readFile(masterPath)).to.deep.equal(before);
    expect(await readdir(tempRoot)).to.deep.equal([]);
  });

  it("publishes nothing and leaves no scratch files when an encode fails", async () => {
    const encode = async (options: EncodeFileOptions): Promise<void> => {
      if (options.format === "opus") throw new AudioToolError("ffmpeg failed to encode opus", "AUDIO_TOOL_FAILED");
      await writeFile(options.outputPath, options.format);
    };
    const encoder = new ExportEncoder({ settings: SETTINGS, encode, limiter: new TaskLimiter(4) });
    const writer = new OutputWriter({ outputs, tempRoot, encoding: SETTINGS, encoder });
    const error = await write(writer).catch((caught: unknown) => caught);
    expect(error).to.be.instanceOf(AudioToolError);
    expect(await readdir(join(dir, "outputs/book"))).to.deep.equal([]);
    expect(await readdir(tempRoot)).to.deep.equal([]);
  });
});
