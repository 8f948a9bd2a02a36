/**
 * WAV writer for the server's master output: mono 32-bit IEEE float, like torchaudio and soundfile's FLOAT
 * subtype. ffmpeg encodes every export format from these files (ffmpeg.ts) and decodes clients' audio
 * (decode.ts).
 */
import type { MonoPcm } from "../domain/audio.js";
import { float32ToF32le } from "./pcm.js";

const WAVE_FORMAT_IEEE_FLOAT = 3;
const BYTES_PER_SAMPLE = 4;
/** RIFF header 12, `fmt ` chunk 8 + 18 (non-PCM formats carry a cbSize field), `fact` 8 + 4, `data` header 8. */
const HEADER_BYTES = 58;
const MAX_RIFF_BYTES = 0xffffffff;

/**
 * Encodes mono PCM as a 32-bit float WAV file.
 * It uses format tag 3 with a `fact` chunk (the layout the WAV spec asks of non-PCM data), which ffmpeg reads
 * as pcm_f32le and libsndfile as FLOAT.
 * @throws RangeError for a non-positive or fractional sample rate, or audio too long for a RIFF file.
 */
export function encodeWav(pcm: MonoPcm): Buffer {
  const { sampleRate, samples } = pcm;
  if (!Number.isInteger(sampleRate) || sampleRate <= 0) {
    throw new RangeError(`sampleRate must be a positive integer, got ${sampleRate}`);
  }
  const dataBytes = samples.length * BYTES_PER_SAMPLE;
  if (HEADER_BYTES - 8 + dataBytes > MAX_RIFF_BYTES) throw new RangeError("Audio is too long for a WAV file");

  const out = Buffer.alloc(HEADER_BYTES + dataBytes);
  out.write("RIFF", 0, "latin1");
  out.writeUInt32LE(HEADER_BYTES - 8 + dataBytes, 4);
  out.write("WAVE", 8, "latin1");
  out.write("fmt ", 12, "latin1");
  out.writeUInt32LE(18, 16);
  out.writeUInt16LE(WAVE_FORMAT_IEEE_FLOAT, 20);
  out.writeUInt16LE(1, 22); // channels
  out.writeUInt32LE(sampleRate, 24);
  out.writeUInt32LE(sampleRate * BYTES_PER_SAMPLE, 28); // bytes per second
  out.writeUInt16LE(BYTES_PER_SAMPLE, 32); // bytes per frame
  out.writeUInt16LE(BYTES_PER_SAMPLE * 8, 34); // bits per sample
  out.writeUInt16LE(0, 36); // cbSize: no extension
  out.write("fact", 38, "latin1");
  out.writeUInt32LE(4, 42);
  out.writeUInt32LE(samples.length, 46); // frame count
  out.write("data", 50, "latin1");
  out.writeUInt32LE(dataBytes, 54);
  float32ToF32le(samples).copy(out, HEADER_BYTES);
  return out;
}
