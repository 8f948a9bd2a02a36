import { expect } from "chai";
import { execa } from "execa";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BadRequestError } from "../../../src/domain/errors.js";
import { decodeWav, encodeWav, wavInfo } from "../../../src/audio/wav.js";
import { buildWav, mono, noise, sine, type TestWavEncoding } from "../../helpers/wav-builder.js";
import { probeAudio } from "./ffprobe.js";

const RATE = 24000;

function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  expect(a.length).to.equal(b.length);
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i]! - b[i]!));
  return worst;
}

function expectInvalidAudio(fn: () => unknown, messagePart: RegExp): void {
  try {
    fn();
  } catch (error) {
    expect(error).to.be.instanceOf(BadRequestError);
    expect((error as BadRequestError).code).to.equal("INVALID_AUDIO");
    expect((error as Error).message).to.match(messagePart);
    return;
  }
  expect.fail("expected an INVALID_AUDIO error");
}

describe("audio/wav", () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "wav-test-"));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  describe("encodeWav", () => {
    const tone = mono(RATE, sine({ freq: 440, seconds: 1.5, sampleRate: RATE }));

    it("writes 32-bit float WAV that ffprobe reads as mono pcm_f32le at the same rate and length", async () => {
      const path = join(dir, "f32.wav");
      await writeFile(path, encodeWav(tone, { format: "f32" }));
      const probed = await probeAudio(path);
      expect(probed).to.include({ codecName: "pcm_f32le", sampleRate: RATE, channels: 1 });
      expect(probed.durationSeconds).to.be.closeTo(1.5, 0.001);
    });

    it("writes float WAV that sox identifies as floating point (the soundfile FLOAT subtype)", async () => {
      const path = join(dir, "f32-sox.wav");
      await writeFile(path, encodeWav(tone, { format: "f32" }));
      const encoding = await execa("sox", ["--i", "-e", path]);
      const bits = await execa("sox", ["--i", "-b", path]);
      expect(encoding.stdout.trim()).to.equal("Floating Point PCM");
      expect(bits.stdout.trim()).to.equal("32");
    });

    it("uses format tag 3 with a fact chunk giving the frame count", () => {
      const buf = encodeWav(tone, { format: "f32" });
      expect(buf.readUInt16LE(20)).to.equal(3);
      const factAt = buf.indexOf("fact", 12, "latin1");
      expect(factAt).to.be.greaterThan(0);
      expect(buf.readUInt32LE(factAt + 8)).to.equal(tone.samples.length);
    });

    it("round-trips float samples exactly", () => {
      const decoded = decodeWav(encodeWav(tone, { format: "f32" }));
      expect(decoded.sampleRate).to.equal(RATE);
      expect(maxAbsDiff(decoded.samples, tone.samples)).to.equal(0);
    });

    it("writes 16-bit PCM WAV with a 44-byte header that ffprobe reads as pcm_s16le", async () => {
      const buf = encodeWav(tone, { format: "s16" });
      expect(buf.length).to.equal(44 + tone.samples.length * 2);
      const path = join(dir, "s16.wav");
      await writeFile(path, buf);
      const probed = await probeAudio(path);
      expect(probed).to.include({ codecName: "pcm_s16le", sampleRate: RATE, channels: 1 });
      expect(probed.durationSeconds).to.be.closeTo(1.5, 0.001);
    });

    it("round-trips 16-bit samples within one quantisation step and clips out-of-range values", () => {
      const decoded = decodeWav(encodeWav(tone, { format: "s16" }));
      expect(maxAbsDiff(decoded.samples, tone.samples)).to.be.at.most(1 / 32768);
      const loud = decodeWav(encodeWav(mono(RATE, new Float32Array([1.5, -1.5, Number.NaN])), { format: "s16" }));
      expect(Array.from(loud.samples)).to.deep.equal([32767 / 32768, -1, 0]);
    });

    it("encodes an empty clip as a valid zero-length file", () => {
      const buf = encodeWav(mono(RATE, new Float32Array(0)), { format: "f32" });
      expect(decodeWav(buf).samples.length).to.equal(0);
      expect(wavInfo(buf).durationSeconds).to.equal(0);
    });

    it("rejects a sample rate that is not a positive integer", () => {
      expect(() => encodeWav(mono(0, new Float32Array(1)), { format: "s16" })).to.throw(RangeError);
      expect(() => encodeWav(mono(22050.5, new Float32Array(1)), { format: "f32" })).to.throw(RangeError);
    });
  });

  describe("decodeWav", () => {
    const signal = sine({ freq: 300, seconds: 0.2, sampleRate: 16000, amplitude: 0.8 });
    const cases: Array<[TestWavEncoding, number]> = [
      ["u8", 1 / 128], ["s16", 1 / 32768], ["s24", 1 / 8388608], ["s32", 1e-7], ["f32", 0], ["f64", 1e-7],
    ];
    for (const [encoding, tolerance] of cases) {
      it(`decodes ${encoding} samples to the original signal`, () => {
        const pcm = decodeWav(buildWav({ sampleRate: 16000, channels: [signal], encoding }));
        expect(pcm.sampleRate).to.equal(16000);
        expect(maxAbsDiff(pcm.samples, signal)).to.be.at.most(tolerance);
      });
    }

    it("averages channels to mono", () => {
      const left = new Float32Array([0.5, 0.5, -1]);
      const right = new Float32Array([0.1, -0.5, -1]);
      const pcm = decodeWav(buildWav({ sampleRate: 8000, channels: [left, right], encoding: "f32" }));
      expect(Array.from(pcm.samples).map((x) => Number(x.toFixed(6)))).to.deep.equal([0.3, 0, -1]);
    });

    it("reads WAVE_FORMAT_EXTENSIBLE float and integer files", () => {
      for (const encoding of ["f32", "s24"] as const) {
        const buf = buildWav({ sampleRate: 48000, channels: [signal, signal], encoding, extensible: true });
        expect(maxAbsDiff(decodeWav(buf).samples, signal)).to.be.below(1e-6);
        expect(wavInfo(buf).formatTag).to.equal(encoding === "f32" ? 3 : 1);
      }
    });

    it("finds the data chunk after LIST and odd-sized chunks instead of assuming byte 44", () => {
      const buf = buildWav({
        sampleRate: 16000, channels: [signal], encoding: "s16",
        extraChunks: [{ id: "LIST", body: Buffer.from("INFOISFT odd", "latin1") }, { id: "junk", body: Buffer.alloc(3) }],
      });
      expect(maxAbsDiff(decodeWav(buf).samples, signal)).to.be.at.most(1 / 32768);
    });

    it("reads streamed files whose data size is 0xFFFFFFFF, ignoring a trailing partial frame", () => {
      const whole = buildWav({ sampleRate: 16000, channels: [signal], encoding: "s16", dataSizeField: 0xffffffff });
      const withPartial = Buffer.concat([whole, Buffer.from([7])]);
      expect(decodeWav(withPartial).samples.length).to.equal(signal.length);
    });

    it("decodes files written by sox and ffmpeg (stereo 24-bit, piped float)", async () => {
      const path = join(dir, "sox-stereo24.wav");
      await execa("sox", ["-n", "-r", "44100", "-c", "2", "-b", "24", path, "synth", "0.5", "sine", "440"]);
      const { stdout } = await execa("ffmpeg", ["-v", "error", "-i", path, "-c:a", "pcm_f32le", "-f", "wav", "-"], {
        encoding: "buffer",
      });
      for (const bytes of [await readFile(path), Buffer.from(stdout)]) {
        const pcm = decodeWav(bytes);
        expect(pcm.sampleRate).to.equal(44100);
        expect(pcm.samples.length).to.equal(22050);
        expect(Math.max(...pcm.samples.subarray(0, 2000))).to.be.greaterThan(0.5);
      }
    });
  });

  describe("malformed input", () => {
    const good = buildWav({ sampleRate: 8000, channels: [noise({ seconds: 0.01, sampleRate: 8000, amplitude: 0.1 })], encoding: "s16" });

    it("explains what is wrong", () => {
      expectInvalidAudio(() => decodeWav(Buffer.from("RIFF")), /too short/);
      expectInvalidAudio(() => decodeWav(Buffer.from("ID3\u0003 this is an mp3 file")), /not a WAV file/);
      expectInvalidAudio(() => decodeWav(Buffer.concat([Buffer.from("RF64"), good.subarray(4)])), /RF64/);
      expectInvalidAudio(() => decodeWav(good.subarray(0, 36)), /no 'data' chunk/);
      expectInvalidAudio(() => decodeWav(good.subarray(0, 30)), /'fmt ' chunk is truncated/);
    });

    it("rejects encodings it cannot decode, naming the format", () => {
      const adpcm = Buffer.from(good);
      adpcm.writeUInt16LE(2, 20);
      expectInvalidAudio(() => decodeWav(adpcm), /format tag 2/);
      const twelveBit = Buffer.from(good);
      twelveBit.writeUInt16LE(12, 34);
      expectInvalidAudio(() => wavInfo(twelveBit), /12 bits/);
      const noChannels = Buffer.from(good);
      noChannels.writeUInt16LE(0, 22);
      expectInvalidAudio(() => decodeWav(noChannels), /0 channels/);
    });

    it("reports a missing fmt chunk", () => {
      const noFmt = Buffer.from(good);
      noFmt.write("abcd", 12, "latin1");
      expectInvalidAudio(() => decodeWav(noFmt), /no 'fmt ' chunk/);
    });
  });

  describe("wavInfo", () => {
    it("reports header facts and duration without decoding", () => {
      const left = sine({ freq: 200, seconds: 0.25, sampleRate: 48000 });
      const info = wavInfo(buildWav({ sampleRate: 48000, channels: [left, left], encoding: "s24" }));
      expect(info).to.deep.equal({ sampleRate: 48000, channels: 2, bitsPerSample: 24, formatTag: 1, durationSeconds: 0.25 });
    });

    it("reports our float output as format 3, 32 bits", () => {
      const info = wavInfo(encodeWav(mono(24000, new Float32Array(12000)), { format: "f32" }));
      expect(info).to.deep.equal({ sampleRate: 24000, channels: 1, bitsPerSample: 32, formatTag: 3, durationSeconds: 0.5 });
    });
  });
});
