/** Small operations on mono float PCM: joining, length and raw little-endian conversions. */
import type { MonoPcm } from "../domain/audio.js";

export const IS_LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/**
 * Joins clips end to end.
 * @throws RangeError when the list is empty or the clips differ in sample rate (resample them first).
 */
export function concatPcm(parts: readonly MonoPcm[]): MonoPcm {
  const first = parts[0];
  if (first === undefined) throw new RangeError("concatPcm needs at least one clip");
  let total = 0;
  for (const part of parts) {
    if (part.sampleRate !== first.sampleRate) {
      throw new RangeError(`Cannot join clips at ${first.sampleRate} Hz and ${part.sampleRate} Hz; resample first`);
    }
    total += part.samples.length;
  }
  const samples = new Float32Array(total);
  let offset = 0;
  for (const part of parts) {
    samples.set(part.samples, offset);
    offset += part.samples.length;
  }
  return { sampleRate: first.sampleRate, samples };
}

/**
 * Copies raw float32 little-endian bytes into a new Float32Array. Works for buffers at any byte offset
 * (Node's pooled Buffers are often not 4-byte aligned, so a typed-array view is not always possible).
 * @throws RangeError when the length is not a multiple of 4.
 */
export function f32leToFloat32(buf: Uint8Array): Float32Array {
  if (buf.length % 4 !== 0) throw new RangeError(`f32le data length ${buf.length} is not a multiple of 4`);
  const out = new Float32Array(buf.length / 4);
  // Copy the bytes into the fresh (aligned) array, then fix byte order only on big-endian hosts.
  new Uint8Array(out.buffer).set(buf);
  if (!IS_LITTLE_ENDIAN) {
    const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
    for (let i = 0; i < out.length; i++) out[i] = view.getFloat32(i * 4, true);
  }
  return out;
}

/** Copies samples into a new Buffer of float32 little-endian bytes. */
export function float32ToF32le(samples: Float32Array): Buffer {
  const out = Buffer.alloc(samples.length * 4);
  if (IS_LITTLE_ENDIAN) {
    out.set(new Uint8Array(samples.buffer, samples.byteOffset, samples.byteLength));
  } else {
    for (let i = 0; i < samples.length; i++) out.writeFloatLE(samples[i]!, i * 4);
  }
  return out;
}

/**
 * Converts signed 16-bit little-endian PCM to floats in [-1, 1).
 * @throws RangeError when the length is odd.
 */
export function s16leToFloat32(buf: Uint8Array): Float32Array {
  if (buf.length % 2 !== 0) throw new RangeError(`s16le data length ${buf.length} is odd`);
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const out = new Float32Array(buf.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = view.getInt16(i * 2, true) / 32768;
  return out;
}

/** Length of the clip in seconds. */
export function durationSeconds(pcm: MonoPcm): number {
  return pcm.samples.length / pcm.sampleRate;
}
