/**
 * Uncompressed samples in a file, read back as float frames chunk by chunk: the clips concatenation decoded
 * to raw float, and WAV files that are already at the output layout (the server's own outputs, usually), which
 * need no ffmpeg at all. Only one chunk is in memory at a time, and its buffers are reused from chunk to chunk.
 */
import { open } from "node:fs/promises";
import { endianness } from "node:os";

/** Integer PCM is signed except 8-bit, which WAV stores unsigned. */
export type SampleFormat = "u8" | "s16" | "s24" | "s32" | "f32" | "f64";

/** Where a file's samples are and how they are stored. */
export interface PcmSource {
  path: string;
  /** Byte offset of the first sample. */
  dataOffset: number;
  frames: number;
  channels: number;
  sampleRate: number;
  format: SampleFormat;
}

export const BYTES_PER_SAMPLE: Readonly<Record<SampleFormat, number>> = {
  u8: 1,
  s16: 2,
  s24: 3,
  s32: 4,
  f32: 4,
  f64: 8,
};

/** Float samples per chunk handed to the caller (256 KiB of float32). */
const CHUNK_SAMPLES = 65536;
const LITTLE_ENDIAN_HOST = endianness() === "LE";

/** A chunk's stored bytes (room for the widest format), its floats, and the floats remixed to other channels. */
interface ChunkBuffers {
  bytes: Uint8Array;
  floats: Float32Array;
  remixed: Float32Array;
}

/**
 * Buffers of finished reads, for the next ones. A join reads every clip twice; fresh buffers each time would
 * leave hundreds of megabytes of garbage outside the JS heap between collections on a long join.
 */
const spareBuffers: ChunkBuffers[] = [];
const MAX_SPARE_BUFFERS = 4;

/** A range of frames to read. */
export interface FrameRange {
  from: number;
  to: number;
  /**
   * Channels to hand out, when the source has the other count of 1 or 2: a mono source is copied to both sides
   * (no level change, unlike ffmpeg's −3 dB), a stereo one averaged. Default: the source's own.
   */
  channels?: number;
  /** Checked between chunks; its reason is thrown. */
  signal?: AbortSignal;
}

/**
 * Reads frames `[from, to)` of `source` as interleaved float32 chunks of whole frames, in order. The chunk
 * handed to `onChunk` is reused for the next one: use or copy it before `onChunk` returns (or resolves).
 */
export async function readFrames(
  source: PcmSource,
  range: FrameRange,
  onChunk: (chunk: Float32Array) => void | Promise<void>,
): Promise<void> {
  const { channels, format } = source;
  const outChannels = range.channels ?? channels;
  if (outChannels !== channels && channels * outChannels !== 2) {
    throw new RangeError(`cannot hand out ${outChannels} channels from a source of ${channels}`);
  }
  const sampleBytes = BYTES_PER_SAMPLE[format];
  const framesPerChunk = Math.floor(CHUNK_SAMPLES / Math.max(channels, outChannels));
  const handle = await open(source.path, "r");
  const buffers = spareBuffers.pop() ?? {
    bytes: new Uint8Array(CHUNK_SAMPLES * BYTES_PER_SAMPLE.f64),
    floats: new Float32Array(CHUNK_SAMPLES),
    remixed: new Float32Array(CHUNK_SAMPLES),
  };
  const { bytes } = buffers;
  // Native-endian float32 is used where it was read; everything else is converted into the float array.
  const inPlace = format === "f32" && LITTLE_ENDIAN_HOST;
  const floats = inPlace ? new Float32Array(bytes.buffer, 0, CHUNK_SAMPLES) : buffers.floats;
  try {
    for (let frame = range.from; frame < range.to;) {
      range.signal?.throwIfAborted();
      const count = Math.min(framesPerChunk, range.to - frame);
      const length = count * channels * sampleBytes;
      const position = source.dataOffset + frame * channels * sampleBytes;
      const { bytesRead } = await handle.read(bytes, 0, length, position);
      if (bytesRead < length) throw new Error(`${source.path} ended before frame ${range.to}`);
      if (!inPlace) decodeSamples(bytes.subarray(0, length), format, floats);
      const chunk = floats.subarray(0, count * channels);
      await onChunk(outChannels === channels ? chunk : remix(chunk, outChannels, buffers.remixed));
      frame += count;
    }
  } finally {
    if (spareBuffers.length < MAX_SPARE_BUFFERS) spareBuffers.push(buffers);
    await handle.close();
  }
}

/** Mono to stereo (each sample to both sides) or stereo to mono (the mean of the two), into `out`. */
function remix(chunk: Float32Array, outChannels: number, out: Float32Array): Float32Array {
  if (outChannels === 2) {
    for (let f = 0; f < chunk.length; f++) out[2 * f] = out[2 * f + 1] = chunk[f]!;
    return out.subarray(0, 2 * chunk.length);
  }
  const frames = chunk.length / 2;
  for (let f = 0; f < frames; f++) out[f] = 0.5 * (chunk[2 * f]! + chunk[2 * f + 1]!);
  return out.subarray(0, frames);
}

/** Converts stored samples to floats in [-1, 1) (integers divided by their full scale, as ffmpeg does). */
function decodeSamples(bytes: Uint8Array, format: SampleFormat, out: Float32Array): void {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n = bytes.length / BYTES_PER_SAMPLE[format];
  switch (format) {
    case "u8":
      for (let i = 0; i < n; i++) out[i] = (bytes[i]! - 128) / 128;
      return;
    case "s16":
      for (let i = 0; i < n; i++) out[i] = view.getInt16(2 * i, true) / 32768;
      return;
    case "s24":
      for (let i = 0; i < n; i++) out[i] = ((view.getInt8(3 * i + 2) << 16) | view.getUint16(3 * i, true)) / 8388608;
      return;
    case "s32":
      for (let i = 0; i < n; i++) out[i] = view.getInt32(4 * i, true) / 2147483648;
      return;
    case "f32":
      for (let i = 0; i < n; i++) out[i] = view.getFloat32(4 * i, true);
      return;
    case "f64":
      for (let i = 0; i < n; i++) out[i] = view.getFloat64(8 * i, true);
      return;
  }
}
