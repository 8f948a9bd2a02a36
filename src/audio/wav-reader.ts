/**
 * Reads the 32-bit float WAV stream ffmpeg writes when decoding, chunk by chunk, averaging the channels of
 * each frame into one mono sample as the bytes arrive (a stereo source never sits in memory at twice its mono
 * size). ffmpeg cannot seek back in a pipe to fill in sizes, so its RIFF and `data` sizes are placeholders:
 * the samples run to the end of the stream.
 */
import type { MonoPcm } from "../domain/audio.js";
import { PayloadTooLargeError } from "../domain/errors.js";
import { AudioToolError } from "./audio-errors.js";
import { f32leToFloat32 } from "./pcm.js";

const WAVE_FORMAT_IEEE_FLOAT = 3;
const WAVE_FORMAT_EXTENSIBLE = 0xfffe;
/** ffmpeg's header (RIFF, fmt, LIST/INFO, data) is well under this; more means it is not the stream we asked for. */
const MAX_HEADER_BYTES = 64 * 1024;

interface StreamFormat {
  channels: number;
  sampleRate: number;
}

export class MonoWavReader {
  private pending: Buffer = Buffer.alloc(0);
  private format: StreamFormat | undefined;
  private readonly blocks: Float32Array[] = [];
  private sampleCount = 0;

  /** @param maxSamples mono samples kept at most; more fails with PayloadTooLargeError. */
  constructor(private readonly maxSamples = Number.POSITIVE_INFINITY) {}

  /**
   * Takes the next bytes of the stream.
   * @throws AudioToolError when the bytes are not a float WAV stream; PayloadTooLargeError past `maxSamples`.
   */
  push(chunk: Buffer): void {
    this.pending = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    if (this.format === undefined) {
      const header = readHeader(this.pending);
      if (header === undefined) return;
      this.format = header.format;
      this.pending = this.pending.subarray(header.dataOffset);
    }
    this.readFrames(this.format);
  }

  /**
   * The samples read so far, as one clip; a partial last frame is dropped.
   * @throws AudioToolError when the stream ended before its samples began.
   */
  finish(): MonoPcm {
    if (this.format === undefined) throw notFloatWav("the stream ended inside its header");
    const samples = new Float32Array(this.sampleCount);
    let offset = 0;
    for (const block of this.blocks) {
      samples.set(block, offset);
      offset += block.length;
    }
    return { sampleRate: this.format.sampleRate, samples };
  }

  private readFrames({ channels }: StreamFormat): void {
    const frameBytes = 4 * channels;
    const frames = Math.floor(this.pending.length / frameBytes);
    if (frames === 0) return;
    if (this.sampleCount + frames > this.maxSamples) {
      throw new PayloadTooLargeError(`Decoded audio is longer than the limit of ${this.maxSamples} samples`);
    }
    const whole = this.pending.subarray(0, frames * frameBytes);
    this.blocks.push(channels === 1 ? f32leToFloat32(whole) : averageFrames(whole, channels));
    this.sampleCount += frames;
    // Copy the partial frame out, so the chunk it came from can be released.
    this.pending = Buffer.from(this.pending.subarray(frames * frameBytes));
  }
}

function averageFrames(bytes: Buffer, channels: number): Float32Array {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = new Float32Array(bytes.length / (4 * channels));
  let offset = 0;
  for (let f = 0; f < out.length; f++) {
    let sum = 0;
    for (let c = 0; c < channels; c++, offset += 4) sum += view.getFloat32(offset, true);
    out[f] = sum / channels;
  }
  return out;
}

/** The stream's format and where its samples start, or undefined while the header is still incomplete. */
function readHeader(buf: Buffer): { format: StreamFormat; dataOffset: number } | undefined {
  if (buf.length < 12) return undefined;
  if (buf.toString("latin1", 0, 4) !== "RIFF" || buf.toString("latin1", 8, 12) !== "WAVE") {
    throw notFloatWav("it has no RIFF/WAVE header");
  }
  let format: StreamFormat | undefined;
  for (let offset = 12; offset + 8 <= buf.length;) {
    const id = buf.toString("latin1", offset, offset + 4);
    const size = buf.readUInt32LE(offset + 4);
    if (id === "data") {
      if (format === undefined) throw notFloatWav("its samples come before their format");
      return { format, dataOffset: offset + 8 };
    }
    if (offset + 8 + size > buf.length) break; // the chunk is still arriving
    if (id === "fmt ") format = readFmt(buf.subarray(offset + 8, offset + 8 + size));
    offset += 8 + size + (size % 2); // chunks are padded to even sizes
  }
  if (buf.length > MAX_HEADER_BYTES) throw notFloatWav(`its header is longer than ${MAX_HEADER_BYTES} bytes`);
  return undefined;
}

function readFmt(body: Buffer): StreamFormat {
  if (body.length < 16) throw notFloatWav("its fmt chunk is too short");
  const tag = body.readUInt16LE(0);
  // WAVE_FORMAT_EXTENSIBLE (used for more than two channels) names the real format in its sub-format GUID.
  const format = tag === WAVE_FORMAT_EXTENSIBLE && body.length >= 26 ? body.readUInt16LE(24) : tag;
  const channels = body.readUInt16LE(2);
  const sampleRate = body.readUInt32LE(4);
  const bits = body.readUInt16LE(14);
  if (format !== WAVE_FORMAT_IEEE_FLOAT || bits !== 32) throw notFloatWav(`its samples are format ${tag}/${bits} bits`);
  if (channels === 0 || sampleRate === 0) throw notFloatWav("it declares no channels or no sample rate");
  return { channels, sampleRate };
}

function notFloatWav(reason: string): AudioToolError {
  return new AudioToolError(
    `ffmpeg's decoded audio is not the 32-bit float WAV asked for: ${reason}`,
    "AUDIO_TOOL_FAILED",
  );
}
