import { expect } from "chai";
import { execa } from "execa";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { encodeWav } from "../../../src/audio/wav.js";
import { decodeAudio } from "../../helpers/audio-file.js";
import { probeAudio } from "../../helpers/ffprobe.js";
import { mono, sine } from "../../helpers/wav-builder.js";

const RATE = 24000;

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
      await writeFile(path, encodeWav(tone));
      const probed = await probeAudio(path);
      expect(probed).to.include({ codecName: "pcm_f32le", sampleRate: RATE, channels: 1 });
      expect(probed.durationSeconds).to.be.closeTo(1.5, 0.001);
    });

    it("writes float WAV that sox identifies as floating point (the soundfile FLOAT subtype)", async () => {
      const path = join(dir, "f32-sox.wav");
      await writeFile(path, encodeWav(tone));
      const encoding = await execa("sox", ["--i", "-e", path]);
      const bits = await execa("sox", ["--i", "-b", path]);
      expect(encoding.stdout.trim()).to.equal("Floating Point PCM");
      expect(bits.stdout.trim()).to.equal("32");
    });

    it("uses format tag 3 with a fact chunk giving the frame count", () => {
      const buf = encodeWav(tone);
      expect(buf.readUInt16LE(20)).to.equal(3);
      const factAt = buf.indexOf("fact", 12, "latin1");
      expect(factAt).to.be.greaterThan(0);
      expect(buf.readUInt32LE(factAt + 8)).to.equal(tone.samples.length);
    });

    it("round-trips float samples exactly through an independent decoder", async () => {
      const decoded = await decodeAudio(encodeWav(tone));
      expect(decoded.sampleRate).to.equal(RATE);
      expect(Array.from(decoded.samples)).to.deep.equal(Array.from(tone.samples));
    });

    it("encodes an empty clip as a valid zero-length file", async () => {
      const buf = encodeWav(mono(RATE, new Float32Array(0)));
      expect(await probeAudio(buf)).to.include({ codecName: "pcm_f32le", sampleRate: RATE, channels: 1 });
      expect((await decodeAudio(buf)).samples.length).to.equal(0);
    });

    it("rejects a sample rate that is not a positive integer", () => {
      expect(() => encodeWav(mono(0, new Float32Array(1)))).to.throw(RangeError);
      expect(() => encodeWav(mono(22050.5, new Float32Array(1)))).to.throw(RangeError);
    });
  });
});
