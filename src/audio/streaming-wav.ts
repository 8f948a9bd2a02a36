/**
 * 16-bit PCM for streams: samples converted as they arrive, and a WAV header that can be sent before the length
 * of the audio is known.
 */
import { IS_LITTLE_ENDIAN } from "./pcm.js";

const BITS_PER_SAMPLE = 16;
const BYTES_PER_SAMPLE = BITS_PER_SAMPLE / 8;
const WAVE_FORMAT_PCM = 1;
/** RIFF header 12, `fmt ` chunk 8 + 16 (plain PCM has no cbSize field), `data` chunk header 8. */
const HEADER_BYTES = 44;
/**
 * The size fields of a stream whose length is unknown. Their largest value is the usual marker for it (ffmpeg
 * writes it too when its WAV output cannot be rewound): readers such as ffmpeg and ffprobe then read samples
 * until the stream ends, and a reader that trusts the size never stops early.
 */
const UNKNOWN_SIZE = 0xffffffff;

/**
 * The header of a mono 16-bit PCM WAV stream at `sampleRate` whose RIFF and data sizes are unknown (see
 * {@link UNKNOWN_SIZE}); the samples follow it as {@link float32ToS16le} bytes.
 * @throws RangeError for a non-positive or fractional sample rate.
 */
export function streamingWavHeader(sampleRate: number): Buffer {
  if (!Number.isInteger(sampleRate) || sampleRate <= 0) {
    throw new RangeError(`sampleRate must be a positive integer, got ${sampleRate}`);
  }
  const header = Buffer.alloc(HEADER_BYTES);
  header.write("RIFF", 0, "latin1");
  header.writeUInt32LE(UNKNOWN_SIZE, 4);
  header.write("WAVE", 8, "latin1");
  header.write("fmt ", 12, "latin1");
  header.writeUInt32LE(16, 16);
  header.writeUInt16LE(WAVE_FORMAT_PCM, 20);
  header.writeUInt16LE(1, 22); // channels
  header.writeUInt32LE(sampleRate, 24);
  header.writeUInt32LE(sampleRate * BYTES_PER_SAMPLE, 28); // bytes per second
  header.writeUInt16LE(BYTES_PER_SAMPLE, 32); // bytes per frame
  header.writeUInt16LE(BITS_PER_SAMPLE, 34);
  header.write("data", 36, "latin1");
  header.writeUInt32LE(UNKNOWN_SIZE, 40);
  return header;
}

/**
 * Converts float samples to signed 16-bit little-endian: scaled by 32767 and rounded half away from zero, then
 * clipped to ±32767, so both signs reach full scale symmetrically and +1 does not wrap. NaN becomes silence.
 * Written with integer tricks rather than Math.round and a DataView: this runs on every sample a streamed
 * response sends, and the plain version took 10 ns a sample (25 ms per 110 s of speech) against 2–4 here.
 */
export function float32ToS16le(samples: Float32Array): Buffer {
  const out = new Int16Array(samples.length);
  for (let i = 0; i < samples.length; i++) {
    const scaled = samples[i]! * 32767;
    const rounded = scaled >= 0 ? (scaled + 0.5) | 0 : (scaled - 0.5) | 0;
    out[i] = rounded > 32767 ? 32767 : rounded < -32767 ? -32767 : rounded;
  }
  const bytes = Buffer.from(out.buffer, out.byteOffset, out.byteLength);
  return IS_LITTLE_ENDIAN ? bytes : bytes.swap16();
}
