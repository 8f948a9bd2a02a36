import { expect } from "chai";
import { execa } from "execa";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { AudioToolError } from "../../../src/audio/audio-errors.js";
import { decodeToPcm } from "../../../src/audio/decode.js";
import { durationSeconds } from "../../../src/audio/pcm.js";
import { BadRequestError, PayloadTooLargeError } from "../../../src/domain/errors.js";
import { rmsDbfs } from "../../helpers/audio-file.js";
import { buildS16Wav, harmonicTone, mono, sine } from "../../helpers/wav-builder.js";
import { rejection } from "../../helpers/rejection.js";

const RATE = 24000;

/** A float WAV with one array of samples per channel, interleaved (tag 3; ffmpeg takes it for any count). */
function floatWav(sampleRate: number, channels: Float32Array[]): Buffer {
  const frames = channels[0]!.length;
  const data = Buffer.alloc(frames * channels.length * 4);
  for (let f = 0; f < frames; f++) {
    channels.forEach((samples, c) => data.writeFloatLE(samples[f]!, (f * channels.length + c) * 4));
  }
  const header = Buffer.alloc(44);
  header.write("RIFF", 0, "latin1");
  header.writeUInt32LE(36 + data.length, 4);
  header.write("WAVEfmt ", 8, "latin1");
  header.writeUInt32LE(16, 16);
  header.writeUInt16LE(3, 20);
  header.writeUInt16LE(channels.length, 22);
  header.writeUInt32LE(sampleRate, 24);
  header.writeUInt32LE(sampleRate * 4 * channels.length, 28);
  header.writeUInt16LE(4 * channels.length, 32);
  header.writeUInt16LE(32, 34);
  header.write("data", 36, "latin1");
  header.writeUInt32LE(data.length, 40);
  return Buffer.concat([header, data]);
}

function worstDifference(a: Float32Array, b: Float32Array): number {
  expect(a.length).to.equal(b.length);
  return a.reduce((worst, x, i) => Math.max(worst, Math.abs(x - b[i]!)), 0);
}

describe("audio/decode", () => {
  let dir: string;
  const voice = mono(RATE, harmonicTone({ f0: 140, seconds: 1.5, sampleRate: RATE, harmonics: [0.4, 0.2, 0.1] }));

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "decode-test-"));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  describe("decodeToPcm", () => {
    it("decodes a 16-bit WAV file to float samples at its own rate", async () => {
      const path = join(dir, "voice16.wav");
      await writeFile(path, buildS16Wav(voice));
      const pcm = await decodeToPcm(path);
      expect(pcm.sampleRate).to.equal(RATE);
      expect(worstDifference(pcm.samples, voice.samples)).to.be.at.most(1 / 32768);
    });

    it("decodes a whole file held in memory (MP3) through a pipe", async () => {
      const path = join(dir, "voice.mp3");
      await writeFile(join(dir, "voice-src.wav"), buildS16Wav(voice));
      await execa("ffmpeg", [
        "-v",
        "error",
        "-i",
        join(dir, "voice-src.wav"),
        "-c:a",
        "libmp3lame",
        "-b:a",
        "64k",
        path,
      ]);
      const pcm = await decodeToPcm(await readFile(path));
      expect(pcm.sampleRate).to.equal(RATE);
      // From a pipe ffmpeg cannot trim LAME's end padding (it can from a file): up to one frame more.
      expect(durationSeconds(pcm)).to.be.within(1.5, 1.5 + 1152 / RATE);
      expect(rmsDbfs(pcm.samples)).to.be.closeTo(rmsDbfs(voice.samples), 0.5);
    });

    it("resamples to the rate asked for, keeping duration and level", async () => {
      const tone = mono(48000, sine({ freq: 440, seconds: 1, sampleRate: 48000, amplitude: 0.5 }));
      const pcm = await decodeToPcm(floatWav(48000, [tone.samples]), { sampleRate: RATE });
      expect(pcm.sampleRate).to.equal(RATE);
      expect(pcm.samples.length).to.be.closeTo(RATE, 2);
      expect(rmsDbfs(pcm.samples.subarray(100, -100))).to.be.closeTo(rmsDbfs(tone.samples), 0.1);
    });

    it("averages two channels into one", async () => {
      const left = sine({ freq: 440, seconds: 0.5, sampleRate: RATE, amplitude: 0.6 });
      const right = sine({ freq: 660, seconds: 0.5, sampleRate: RATE, amplitude: 0.2 });
      const pcm = await decodeToPcm(floatWav(RATE, [left, right]));
      expect(
        worstDifference(
          pcm.samples,
          left.map((x, i) => (x + right[i]!) / 2),
        ),
      ).to.be.below(1e-7);
    });

    it("averages every channel of a 5.1 file equally, LFE included (unlike ffmpeg's downmix)", async () => {
      const levels = [0.1, 0.2, 0.3, -0.4, 0.5, 0.6];
      const channels = levels.map((level) => new Float32Array(RATE / 10).fill(level));
      const pcm = await decodeToPcm(floatWav(RATE, channels));
      const mean = levels.reduce((a, b) => a + b) / levels.length;
      expect(pcm.samples.length).to.equal(RATE / 10);
      expect(worstDifference(pcm.samples, new Float32Array(RATE / 10).fill(mean))).to.be.below(1e-7);
    });

    for (const [what, bytes, reason] of [
      ["text", Buffer.from("these are not samples, just words"), /not a recognised audio format/],
      ["nothing", Buffer.alloc(0), /not a recognised audio format/],
      ["a WAV with no samples", buildS16Wav(mono(RATE, new Float32Array(0))), /holds no samples/],
    ] as const) {
      it(`classifies ${what} from a client as 400 INVALID_AUDIO`, async () => {
        const error = await rejection(decodeToPcm(bytes));
        expect(error).to.be.instanceOf(BadRequestError);
        expect((error as BadRequestError).code).to.equal("INVALID_AUDIO");
        expect((error as Error).message).to.match(reason);
      });
    }

    it("classifies an image (no audio stream) as INVALID_AUDIO without naming the server's path", async () => {
      const path = join(dir, "picture.png");
      await execa("ffmpeg", ["-v", "error", "-f", "lavfi", "-i", "testsrc=s=32x32:d=0.1", "-frames:v", "1", path]);
      const error = await rejection(decodeToPcm(path));
      expect((error as BadRequestError).code).to.equal("INVALID_AUDIO");
      expect((error as Error).message).to.equal("Could not decode audio: it contains no audio stream");
    });

    it("treats undecodable server files as the server's failure", async () => {
      const path = join(dir, "own.wav");
      await writeFile(path, "not audio");
      const error = await rejection(decodeToPcm(path, { clientInput: false }));
      expect(error).to.be.instanceOf(AudioToolError);
      expect((error as AudioToolError).code).to.equal("AUDIO_TOOL_FAILED");
    });

    it("treats a missing file as the server's failure, not the client's", async () => {
      const error = await rejection(decodeToPcm(join(dir, "gone.wav")));
      expect(error).to.be.instanceOf(AudioToolError);
      expect((error as Error).message).to.match(/No such file or directory/);
    });

    it("stops at maxBytes of decoded samples with 413 PAYLOAD_TOO_LARGE", async () => {
      const error = await rejection(decodeToPcm(floatWav(RATE, [voice.samples]), { maxBytes: 4 * RATE }));
      expect(error).to.be.instanceOf(PayloadTooLargeError);
      expect(
        await decodeToPcm(floatWav(RATE, [voice.samples]), { maxBytes: 4 * voice.samples.length }),
      ).to.have.property("sampleRate", RATE);
    });

    it("tells the operator to install ffmpeg when it is missing", async () => {
      const error = await rejection(decodeToPcm(Buffer.alloc(8), { ffmpegPath: join(dir, "no-such-ffmpeg") }));
      expect((error as AudioToolError).code).to.equal("FFMPEG_NOT_FOUND");
    });

    it("rejects with the abort reason when the signal aborts", async () => {
      const fifo = join(dir, "never.fifo");
      await execa("mkfifo", [fifo]);
      const controller = new AbortController();
      const pending = decodeToPcm(fifo, { signal: controller.signal });
      const reason = new Error("client went away");
      controller.abort(reason);
      expect(await rejection(pending)).to.equal(reason);
    });

    it("rejects a sample rate that is not a positive integer", async () => {
      expect(await rejection(decodeToPcm(Buffer.alloc(8), { sampleRate: 22050.5 }))).to.be.instanceOf(RangeError);
      expect(await rejection(decodeToPcm(Buffer.alloc(8), { sampleRate: 0 }))).to.be.instanceOf(RangeError);
    });
  });
});
