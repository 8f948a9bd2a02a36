/**
 * Raw PCM bytes on the wire ↔ Float32Array in memory. Protobuf `bytes` fields arrive as views into a larger
 * receive buffer at arbitrary offsets, so a Float32Array cannot simply be laid over them (offsets must be
 * multiples of 4, and the view would pin the whole receive buffer): decoding always copies.
 */
import { endianness } from "node:os";

const LITTLE_ENDIAN_HOST = endianness() === "LE";

/** Raised for byte lengths that cannot be whole samples; callers turn it into a protocol error. */
export class PcmFormatError extends Error {}

/** Decodes little-endian float32 samples into a new, aligned Float32Array. */
export function decodeF32le(data: Uint8Array): Float32Array {
  if (data.byteLength % 4 !== 0) {
    throw new PcmFormatError(`f32le audio has ${data.byteLength} bytes, not a multiple of 4`);
  }
  const samples = new Float32Array(data.byteLength / 4);
  if (LITTLE_ENDIAN_HOST) {
    new Uint8Array(samples.buffer).set(data);
    return samples;
  }
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  for (let i = 0; i < samples.length; i++) samples[i] = view.getFloat32(i * 4, true);
  return samples;
}

/** Decodes little-endian signed 16-bit samples into floats in [-1, 1). */
export function decodeS16le(data: Uint8Array): Float32Array {
  if (data.byteLength % 2 !== 0) {
    throw new PcmFormatError(`s16le audio has ${data.byteLength} bytes, not a multiple of 2`);
  }
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const samples = new Float32Array(data.byteLength / 2);
  for (let i = 0; i < samples.length; i++) samples[i] = view.getInt16(i * 2, true) / 32768;
  return samples;
}

/** Encodes samples as little-endian float32 bytes; on little-endian hosts this is a view, not a copy. */
export function encodeF32le(samples: Float32Array): Buffer {
  if (LITTLE_ENDIAN_HOST) return Buffer.from(samples.buffer, samples.byteOffset, samples.byteLength);
  const out = Buffer.alloc(samples.length * 4);
  for (let i = 0; i < samples.length; i++) out.writeFloatLE(samples[i] ?? 0, i * 4);
  return out;
}
