import { expect } from "chai";
import { execa } from "execa";
import { readFile, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { FloatWavWriter } from "../../../../src/audio/concat/float-wav-writer.js";
import { readFrames, type PcmSource } from "../../../../src/audio/concat/pcm-source.js";
import { readWavSource } from "../../../../src/audio/concat/wav-source.js";
import { rejection } from "../../../helpers/rejection.js";
import { noise } from "../../../helpers/wav-builder.js";
import { ffmpegConvert, readMaster, tempFolder, voiceLike, writeClip } from "./concat-fixtures.js";

const RATE = 24000;

async function readAll(source: PcmSource, channels = source.channels): Promise<Float32Array> {
  const out = new Float32Array(source.frames * channels);
  let at = 0;
  await readFrames(source, { from: 0, to: source.frames, channels }, (chunk) => {
    out.set(chunk, at);
    at += chunk.length;
  });
  return out;
}

describe("audio/concat WAV sources and the float WAV writer", () => {
  let dir: string;
  let dispose: () => Promise<void>;
  let original: string;

  before(async () => {
    ({ dir, dispose } = await tempFolder("concat-pcm-"));
    original = await writeClip(dir, "original.wav", voiceLike({ seconds: 1.5, sampleRate: RATE }), RATE);
  });
  after(() => dispose());

  describe("readWavSource / readFrames", () => {
    const variants: Array<[string, string[], number]> = [
      ["16-bit PCM", ["-c:a", "pcm_s16le"], 1],
      ["24-bit PCM (extensible)", ["-c:a", "pcm_s24le"], 1],
      ["32-bit PCM (extensible)", ["-c:a", "pcm_s32le"], 1],
      ["8-bit unsigned PCM", ["-c:a", "pcm_u8"], 1],
      ["64-bit float stereo (extensible)", ["-c:a", "pcm_f64le", "-ac", "2"], 2],
      ["32-bit float", ["-c:a", "pcm_f32le"], 1],
    ];
    for (const [name, args, channels] of variants) {
      it(`reads ${name} exactly as ffmpeg decodes it`, async () => {
        const path = await ffmpegConvert(original, join(dir, `${name.replace(/\W+/g, "_")}.wav`), args);
        const source = await readWavSource(path);
        expect(source).to.include({ sampleRate: RATE, channels, frames: 1.5 * RATE });
        const ours = await readAll(source!);
        const theirs = await readMaster(path);
        expect(Buffer.from(ours.buffer).equals(Buffer.from(theirs.samples.buffer))).to.equal(true);
      });
    }

    it("reads a WAV streamed through a pipe, whose sizes are placeholders, to its end", async () => {
      const path = join(dir, "piped.wav");
      const { stdout } = await execa("ffmpeg", ["-v", "error", "-i", original, "-c:a", "pcm_s16le", "-f", "wav", "-"], {
        encoding: "buffer",
      });
      await writeFile(path, stdout);
      expect(Buffer.from(stdout).readUInt32LE(4)).to.equal(0xffffffff); // what ffmpeg writes to a pipe
      expect(await readWavSource(path)).to.include({ frames: 1.5 * RATE });
    });

    it("copies mono to both sides and averages stereo to mono when asked for the other channel count", async () => {
      const mono = (await readWavSource(original))!;
      const samples = await readAll(mono);
      const twice = await readAll({ ...mono, channels: 1 }, 2);
      expect(twice.length).to.equal(2 * samples.length);
      samples.forEach((x, i) => expect([twice[2 * i], twice[2 * i + 1]]).to.deep.equal([x, x]));
      const stereoPath = await ffmpegConvert(original, join(dir, "halves.wav"), [
        ...["-af", "pan=stereo|c0=c0|c1=0.5*c0"],
        ...["-c:a", "pcm_f32le"],
      ]);
      const stereo = (await readWavSource(stereoPath))!;
      const mean = await readAll(stereo, 1);
      expect(mean.length).to.equal(samples.length);
      const left = (await readAll(stereo)).filter((_, i) => i % 2 === 0);
      left.forEach((x, i) => expect(mean[i]).to.be.closeTo(0.75 * x, 1e-6));
      await rejection(readAll({ ...stereo, channels: 6 }, 1)).then((error) =>
        expect(error).to.be.instanceOf(RangeError),
      );
    });

    it("reads an RF64 file (as the writer leaves one past 4 GiB) to its end", async () => {
      const path = join(dir, "small.rf64.wav");
      const writer = await FloatWavWriter.create(path, { sampleRate: RATE, channels: 1 });
      const samples = voiceLike({ seconds: 0.5, sampleRate: RATE });
      writer.append(samples);
      await writer.close();
      const bytes = await readFile(path);
      // The 64-bit form of the same header: what close() writes when the sizes do not fit 32 bits.
      bytes.write("RF64ds64", 0, "latin1");
      bytes.write("ds64", 12, "latin1");
      bytes.writeUInt32LE(0xffffffff, 4);
      bytes.writeBigUInt64LE(BigInt(bytes.length - 8), 20);
      bytes.writeBigUInt64LE(BigInt(samples.length * 4), 28);
      bytes.writeBigUInt64LE(BigInt(samples.length), 36);
      bytes.writeUInt32LE(0xffffffff, 82);
      bytes.writeUInt32LE(0xffffffff, 90);
      await writeFile(path, bytes);
      const source = await readWavSource(path);
      expect(source).to.include({ frames: samples.length, dataOffset: 94 });
      const theirs = await readMaster(path);
      expect(theirs.frames).to.equal(samples.length);
      expect(Buffer.from((await readAll(source!)).buffer).equals(Buffer.from(samples.buffer))).to.equal(true);
    });

    it("leaves anything else to ffmpeg", async () => {
      const mp3 = await ffmpegConvert(original, join(dir, "clip.mp3"), []);
      const flacAsWav = await ffmpegConvert(original, join(dir, "flac.wav"), ["-c:a", "flac", "-f", "flac"]);
      const alaw = await ffmpegConvert(original, join(dir, "alaw.wav"), ["-c:a", "pcm_alaw"]);
      for (const path of [mp3, flacAsWav, alaw]) expect(await readWavSource(path)).to.equal(undefined);
    });
  });

  describe("FloatWavWriter", () => {
    it("writes a float WAV that ffmpeg reads back sample for sample, with exact sizes", async () => {
      const path = join(dir, "master.wav");
      const writer = await FloatWavWriter.create(path, { sampleRate: 22050, channels: 2 });
      const first = noise({ seconds: 1, sampleRate: 2 * 22050, amplitude: 0.9, seed: 4 });
      const second = noise({ seconds: 3, sampleRate: 2 * 22050, amplitude: 0.2, seed: 5 });
      writer.append(first);
      await writer.drain();
      await writer.appendSilence(1000);
      for (let at = 0; at < second.length; at += 4096) {
        writer.append(second.subarray(at, at + 4096));
        await writer.drain();
      }
      expect(writer.frames).to.equal(22050 + 1000 + 3 * 22050);
      await writer.close();

      const master = await readMaster(path);
      expect(master).to.include({ codec: "pcm_f32le", sampleRate: 22050, channels: 2, frames: writer.frames });
      const expected = new Float32Array(master.samples.length);
      expected.set(first);
      expected.set(second, first.length + 2000);
      expect(Buffer.from(master.samples.buffer).equals(Buffer.from(expected.buffer))).to.equal(true);

      const bytes = await readFile(path);
      expect(bytes.readUInt32LE(4)).to.equal((await stat(path)).size - 8);
      expect(await readWavSource(path)).to.include({ format: "f32", frames: writer.frames, dataOffset: 94 });
    });
  });
});
