/**
 * WAV codec for mono float PCM. Writing covers what the server produces (32-bit float like torchaudio, 16-bit
 * PCM like soundfile); reading covers what clients upload (integer PCM 8-32 bit, float 32/64, any channel count).
 */
import type { MonoPcm } from "../domain/audio.js";
import { f32leToFloat32, float32ToF32le } from "./pcm.js";
import { WAVE_FORMAT_IEEE_FLOAT, WAVE_FORMAT_PCM, readWavLayout, type WavLayout } from "./wav-layout.js";

/** Sample encodings {@link encodeWav} can write. */
export type WavSampleFormat = "f32" | "s16";

/** Options of {@link encodeWav}. */
export interface EncodeWavOptions {
  /** `f32`: 32-bit IEEE float (soundfile subtype FLOAT); `s16`: 16-bit integer PCM. */
  format: WavSampleFormat;
}

/** Header facts of a WAV file, read without decoding its samples. */
export interface WavInfo {
  sampleRate: number;
  channels: number;
  bitsPerSample: number;
  /** 1 for integer PCM, 3 for IEEE float (WAVE_FORMAT_EXTENSIBLE files report their sub-format). */
  formatTag: number;
  durationSeconds: number;
}

const MAX_RIFF_BYTES = 0xffffffff;

/**
 * Encodes mono PCM as a WAV file.
 * Float files use format tag 3 with a `fact` chunk (the layout the WAV spec asks of non-PCM data), which
 * ffmpeg reads as pcm_f32le and libsndfile as FLOAT. Integer samples are clipped to [-1, 1].
 * @throws RangeError for a non-positive or fractional sample rate, or audio too long for a RIFF file.
 */
export function encodeWav(pcm: MonoPcm, options: EncodeWavOptions): Buffer {
  const { sampleRate, samples } = pcm;
  if (!Number.isInteger(sampleRate) || sampleRate <= 0) {
    throw new RangeError(`sampleRate must be a positive integer, got ${sampleRate}`);
  }
  const isFloat = options.format === "f32";
  const bytesPerSample = isFloat ? 4 : 2;
  const dataBytes = samples.length * bytesPerSample;
  const headerBytes = isFloat ? 58 : 44;
  if (headerBytes - 8 + dataBytes > MAX_RIFF_BYTES) throw new RangeError("Audio is too long for a WAV file");

  const out = Buffer.alloc(headerBytes + dataBytes);
  out.write("RIFF", 0, "latin1");
  out.writeUInt32LE(headerBytes - 8 + dataBytes, 4);
  out.write("WAVE", 8, "latin1");
  let offset = writeFmtChunk(out, { sampleRate, bytesPerSample, isFloat });
  if (isFloat) {
    out.write("fact", offset, "latin1");
    out.writeUInt32LE(4, offset + 4);
    out.writeUInt32LE(samples.length, offset + 8);
    offset += 12;
  }
  out.write("data", offset, "latin1");
  out.writeUInt32LE(dataBytes, offset + 4);
  offset += 8;
  if (isFloat) writeFloat32(out, offset, samples);
  else writeInt16(out, offset, samples);
  return out;
}

interface FmtSpec {
  sampleRate: number;
  bytesPerSample: number;
  isFloat: boolean;
}

/** Writes the `fmt ` chunk at byte 12 and returns the offset after it. */
function writeFmtChunk(out: Buffer, spec: FmtSpec): number {
  // Non-PCM formats carry a cbSize field (18-byte fmt); plain PCM keeps the classic 16-byte fmt.
  const fmtSize = spec.isFloat ? 18 : 16;
  out.write("fmt ", 12, "latin1");
  out.writeUInt32LE(fmtSize, 16);
  out.writeUInt16LE(spec.isFloat ? WAVE_FORMAT_IEEE_FLOAT : WAVE_FORMAT_PCM, 20);
  out.writeUInt16LE(1, 22);
  out.writeUInt32LE(spec.sampleRate, 24);
  out.writeUInt32LE(spec.sampleRate * spec.bytesPerSample, 28);
  out.writeUInt16LE(spec.bytesPerSample, 32);
  out.writeUInt16LE(spec.bytesPerSample * 8, 34);
  if (spec.isFloat) out.writeUInt16LE(0, 36);
  return 20 + fmtSize;
}

function writeFloat32(out: Buffer, offset: number, samples: Float32Array): void {
  float32ToF32le(samples).copy(out, offset);
}

function writeInt16(out: Buffer, offset: number, samples: Float32Array): void {
  for (let i = 0; i < samples.length; i++) {
    const x = samples[i]!;
    // Scale by 32768 so decode(encode(x)) returns x to within one step; +1.0 clips to 32767.
    const v = Number.isNaN(x) ? 0 : Math.max(-32768, Math.min(32767, Math.round(x * 32768)));
    out.writeInt16LE(v, offset + i * 2);
  }
}

/**
 * Decodes a WAV file to mono float PCM; multi-channel audio is averaged.
 * @throws BadRequestError `INVALID_AUDIO` for malformed or unsupported files.
 */
export function decodeWav(buf: Buffer): MonoPcm {
  const layout = readWavLayout(buf);
  if (layout.channels === 1 && layout.formatTag === WAVE_FORMAT_IEEE_FLOAT && layout.bitsPerSample === 32) {
    // Our own output and ffmpeg's decode pipe: a straight byte copy, several times faster than per-sample reads.
    const data = buf.subarray(layout.dataOffset, layout.dataOffset + layout.dataLength);
    return { sampleRate: layout.sampleRate, samples: f32leToFloat32(data) };
  }
  const read = sampleReader(layout);
  const bytesPerSample = layout.bitsPerSample / 8;
  const frames = layout.dataLength / layout.frameBytes;
  const samples = new Float32Array(frames);
  let offset = layout.dataOffset;
  for (let f = 0; f < frames; f++) {
    let sum = 0;
    for (let c = 0; c < layout.channels; c++) {
      sum += read(buf, offset);
      offset += bytesPerSample;
    }
    samples[f] = sum / layout.channels;
  }
  return { sampleRate: layout.sampleRate, samples };
}

type SampleReader = (buf: Buffer, offset: number) => number;

function sampleReader(layout: WavLayout): SampleReader {
  if (layout.formatTag === WAVE_FORMAT_IEEE_FLOAT) {
    return layout.bitsPerSample === 64 ? (b, o) => b.readDoubleLE(o) : (b, o) => b.readFloatLE(o);
  }
  switch (layout.bitsPerSample) {
    case 8:
      return (b, o) => (b[o]! - 128) / 128; // 8-bit WAV is unsigned with 128 as zero
    case 16:
      return (b, o) => b.readInt16LE(o) / 32768;
    case 24:
      return (b, o) => b.readIntLE(o, 3) / 8388608;
    default:
      return (b, o) => b.readInt32LE(o) / 2147483648;
  }
}

/**
 * Reads a WAV file's header facts without decoding samples. The duration counts the sample bytes present in
 * `buf`, so pass the whole file.
 * @throws BadRequestError `INVALID_AUDIO` for malformed or unsupported files.
 */
export function wavInfo(buf: Buffer): WavInfo {
  const layout = readWavLayout(buf);
  const frames = layout.dataLength / layout.frameBytes;
  return {
    sampleRate: layout.sampleRate,
    channels: layout.channels,
    bitsPerSample: layout.bitsPerSample,
    formatTag: layout.formatTag,
    durationSeconds: frames / layout.sampleRate,
  };
}
