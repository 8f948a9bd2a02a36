import { expect } from "chai";
import { decodeF32le, decodeS16le, encodeF32le, PcmFormatError } from "../../../src/sidecar/pcm-codec.js";

describe("sidecar/pcm-codec", () => {
  const samples = Float32Array.from([0, 0.5, -0.25, 1, -1, 0.123456789]);

  it("round-trips float32 samples through f32le bytes", () => {
    expect(Array.from(decodeF32le(encodeF32le(samples)))).to.deep.equal(Array.from(samples));
  });

  it("decodes bytes at an odd offset of a larger buffer (as protobuf hands them over)", () => {
    const backing = Buffer.alloc(samples.byteLength + 3);
    encodeF32le(samples).copy(backing, 1);
    const view = backing.subarray(1, 1 + samples.byteLength);
    expect(view.byteOffset % 4).to.not.equal(0);
    const decoded = decodeF32le(view);
    expect(Array.from(decoded)).to.deep.equal(Array.from(samples));
    expect(decoded.byteOffset).to.equal(0);
    expect(decoded.buffer).to.not.equal(backing.buffer); // a copy: the receive buffer is not pinned
  });

  it("encodes only the viewed part of a subarray", () => {
    const part = samples.subarray(2, 4);
    expect(Array.from(decodeF32le(encodeF32le(part)))).to.deep.equal([-0.25, 1]);
  });

  it("decodes s16le into [-1, 1)", () => {
    const bytes = Buffer.alloc(8);
    [0, 16384, -32768, 32767].forEach((v, i) => bytes.writeInt16LE(v, i * 2));
    expect(Array.from(decodeS16le(bytes))).to.deep.equal([0, 0.5, -1, 32767 / 32768]);
  });

  it("rejects byte counts that are not whole samples", () => {
    expect(() => decodeF32le(Buffer.alloc(6))).to.throw(PcmFormatError, "multiple of 4");
    expect(() => decodeS16le(Buffer.alloc(3))).to.throw(PcmFormatError, "multiple of 2");
  });

  it("decodes empty audio to an empty array", () => {
    expect(decodeF32le(Buffer.alloc(0))).to.have.length(0);
  });
});
