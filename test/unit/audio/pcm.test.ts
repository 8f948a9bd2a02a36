import { expect } from "chai";
import { concatPcm, durationSeconds, f32leToFloat32, float32ToF32le, s16leToFloat32 } from "../../../src/audio/pcm.js";
import { mono, silence, sine } from "../../helpers/wav-builder.js";

describe("audio/pcm", () => {
  describe("concatPcm", () => {
    it("joins clips in order and adds their durations", () => {
      const a = mono(24000, sine({ freq: 220, seconds: 0.5, sampleRate: 24000 }));
      const b = mono(24000, silence(0.25, 24000));
      const joined = concatPcm([a, b, a]);
      expect(durationSeconds(joined)).to.equal(1.25);
      expect(Array.from(joined.samples.subarray(0, 100))).to.deep.equal(Array.from(a.samples.subarray(0, 100)));
      expect(joined.samples.subarray(12000, 18000).every((x) => x === 0)).to.equal(true);
      expect(joined.samples[18000 + 7]).to.equal(a.samples[7]);
    });

    it("refuses clips of different sample rates and an empty list", () => {
      expect(() => concatPcm([mono(24000, new Float32Array(1)), mono(22050, new Float32Array(1))])).to.throw(
        RangeError,
        /24000 Hz and 22050 Hz/,
      );
      expect(() => concatPcm([])).to.throw(RangeError);
    });

    it("returns a copy, so changing the result leaves the inputs alone", () => {
      const a = mono(8000, new Float32Array([0.1, 0.2]));
      const joined = concatPcm([a]);
      joined.samples[0] = 1;
      expect(a.samples[0]).to.be.closeTo(0.1, 1e-7);
    });
  });

  describe("raw conversions", () => {
    const values = new Float32Array([0, 1, -1, 0.5, -0.25, 1e-8, 3.5]);

    it("round-trips float32 through f32le bytes", () => {
      const bytes = float32ToF32le(values);
      expect(bytes.length).to.equal(28);
      expect(bytes.readFloatLE(12)).to.equal(0.5);
      expect(Array.from(f32leToFloat32(bytes))).to.deep.equal(Array.from(values));
    });

    it("reads f32le from a buffer at an odd byte offset", () => {
      const backing = Buffer.alloc(1 + 28);
      float32ToF32le(values).copy(backing, 1);
      const unaligned = backing.subarray(1);
      expect(unaligned.byteOffset % 4).to.not.equal(0);
      expect(Array.from(f32leToFloat32(unaligned))).to.deep.equal(Array.from(values));
    });

    it("writes only the viewed part of a subarray", () => {
      const bytes = float32ToF32le(values.subarray(3, 5));
      expect(Array.from(f32leToFloat32(bytes))).to.deep.equal([0.5, -0.25]);
    });

    it("rejects byte counts that are not whole samples", () => {
      expect(() => f32leToFloat32(Buffer.alloc(6))).to.throw(RangeError);
      expect(() => s16leToFloat32(Buffer.alloc(3))).to.throw(RangeError);
    });

    it("scales s16le to [-1, 1)", () => {
      const bytes = Buffer.alloc(8);
      [0, 32767, -32768, 16384].forEach((v, i) => bytes.writeInt16LE(v, i * 2));
      expect(Array.from(s16leToFloat32(bytes))).to.deep.equal([0, 32767 / 32768, -1, 0.5]);
    });
  });

  describe("durationSeconds", () => {
    it("gives durations in seconds", () => {
      expect(durationSeconds(mono(22050, new Float32Array(11025)))).to.equal(0.5);
    });
  });
});
