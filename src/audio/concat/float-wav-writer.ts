/**
 * Writes a 32-bit float WAV file progressively: a header with placeholder sizes first, the samples as they come
 * (staged into ~1 MiB writes), and the sizes patched in at the end. Like wav.ts it writes format tag 3 with a
 * `fact` chunk. A long stereo master can pass the 4 GiB a RIFF size field holds (about 3.4 hours at 44.1 kHz),
 * so the header reserves a 28-byte `JUNK` chunk that becomes RF64's `ds64` chunk when it does (EBU Tech 3306;
 * ffmpeg and libsndfile read both forms, and readers skip `JUNK`).
 */
import { open, type FileHandle } from "node:fs/promises";
import { endianness } from "node:os";
import type { OutputLayout } from "./types.js";

const WAVE_FORMAT_IEEE_FLOAT = 3;
const BYTES_PER_SAMPLE = 4;
const DS64_BYTES = 28;
/** RIFF 12, JUNK/ds64 8 + 28, `fmt ` 8 + 18, `fact` 8 + 4, `data` header 8. */
const HEADER_BYTES = 94;
const DATA_SIZE_OFFSET = HEADER_BYTES - 4;
/** Where the `fact` chunk's frame count sits. */
const FACT_FRAMES_OFFSET = 82;
const MAX_RIFF = 0xffffffff;
const STAGE_BYTES = 1 << 20;
const LITTLE_ENDIAN_HOST = endianness() === "LE";

export class FloatWavWriter {
  private stage = Buffer.alloc(STAGE_BYTES);
  private staged = 0;
  private written = 0;
  private samples = 0;
  /** Digital silence to append from; never written to. */
  private zeros: Float32Array | undefined;

  private constructor(
    private readonly handle: FileHandle,
    private readonly layout: OutputLayout,
  ) {}

  /** Creates (or truncates) `path` and writes the header. */
  static async create(path: string, layout: OutputLayout): Promise<FloatWavWriter> {
    const handle = await open(path, "w");
    try {
      await handle.write(header(layout), 0, HEADER_BYTES, 0);
    } catch (error) {
      await handle.close();
      throw error;
    }
    return new FloatWavWriter(handle, layout);
  }

  /** Frames appended so far. */
  get frames(): number {
    return this.samples / this.layout.channels;
  }

  /** Copies interleaved samples into the stage; call {@link drain} before staging much more. */
  append(samples: Float32Array): void {
    const bytes = samples.length * BYTES_PER_SAMPLE;
    if (this.staged + bytes > this.stage.length) {
      const grown = Buffer.alloc(Math.max(2 * this.stage.length, this.staged + bytes));
      this.stage.copy(grown, 0, 0, this.staged);
      this.stage = grown;
    }
    if (LITTLE_ENDIAN_HOST) {
      this.stage.set(new Uint8Array(samples.buffer, samples.byteOffset, bytes), this.staged);
    } else {
      for (let i = 0; i < samples.length; i++) this.stage.writeFloatLE(samples[i]!, this.staged + 4 * i);
    }
    this.staged += bytes;
    this.samples += samples.length;
  }

  /** Appends `frames` frames of digital silence. */
  async appendSilence(frames: number): Promise<void> {
    this.zeros ??= new Float32Array(STAGE_BYTES / BYTES_PER_SAMPLE);
    const block = this.zeros;
    for (let left = frames * this.layout.channels; left > 0; left -= block.length) {
      this.append(left >= block.length ? block : block.subarray(0, left));
      await this.drain();
    }
  }

  /** Writes the stage out once it holds about a megabyte. */
  async drain(): Promise<void> {
    if (this.staged >= STAGE_BYTES) await this.writeStage();
  }

  /** Writes what is staged, patches the sizes in the header and closes the file. */
  async close(): Promise<void> {
    try {
      await this.writeStage();
      const patch = sizes(this.samples * BYTES_PER_SAMPLE, this.frames);
      for (const [offset, bytes] of patch) await this.handle.write(bytes, 0, bytes.length, offset);
    } finally {
      await this.handle.close();
    }
  }

  /** Closes the file without finishing it (the caller removes it). */
  async abandon(): Promise<void> {
    await this.handle.close();
  }

  private async writeStage(): Promise<void> {
    if (this.staged === 0) return;
    await this.handle.write(this.stage, 0, this.staged, HEADER_BYTES + this.written);
    this.written += this.staged;
    this.staged = 0;
  }
}

function header(layout: OutputLayout): Buffer {
  const out = Buffer.alloc(HEADER_BYTES);
  const frameBytes = layout.channels * BYTES_PER_SAMPLE;
  out.write("RIFF", 0, "latin1");
  out.write("WAVE", 8, "latin1");
  out.write("JUNK", 12, "latin1");
  out.writeUInt32LE(DS64_BYTES, 16);
  out.write("fmt ", 48, "latin1");
  out.writeUInt32LE(18, 52);
  out.writeUInt16LE(WAVE_FORMAT_IEEE_FLOAT, 56);
  out.writeUInt16LE(layout.channels, 58);
  out.writeUInt32LE(layout.sampleRate, 60);
  out.writeUInt32LE(layout.sampleRate * frameBytes, 64); // bytes per second
  out.writeUInt16LE(frameBytes, 68); // block align
  out.writeUInt16LE(BYTES_PER_SAMPLE * 8, 70); // bits per sample
  out.writeUInt16LE(0, 72); // cbSize: no extension
  out.write("fact", 74, "latin1");
  out.writeUInt32LE(4, 78);
  out.write("data", 86, "latin1");
  return out;
}

/** The header fields that depend on the length, as (offset, bytes) patches: plain RIFF, or RF64 past 4 GiB. */
function sizes(dataBytes: number, frames: number): Array<[number, Buffer]> {
  const riffBytes = HEADER_BYTES - 8 + dataBytes;
  if (riffBytes <= MAX_RIFF) {
    return [
      [4, uint32(riffBytes)],
      [FACT_FRAMES_OFFSET, uint32(frames)],
      [DATA_SIZE_OFFSET, uint32(dataBytes)],
    ];
  }
  const ds64 = Buffer.alloc(8 + DS64_BYTES);
  ds64.write("ds64", 0, "latin1");
  ds64.writeUInt32LE(DS64_BYTES, 4);
  ds64.writeBigUInt64LE(BigInt(riffBytes), 8);
  ds64.writeBigUInt64LE(BigInt(dataBytes), 16);
  ds64.writeBigUInt64LE(BigInt(frames), 24);
  // The 32-bit fields say "see ds64"; the table of other long chunks stays empty (its length, 0, is already there).
  return [
    [0, Buffer.from("RF64", "latin1")],
    [4, uint32(MAX_RIFF)],
    [12, ds64],
    [FACT_FRAMES_OFFSET, uint32(MAX_RIFF)],
    [DATA_SIZE_OFFSET, uint32(MAX_RIFF)],
  ];
}

function uint32(value: number): Buffer {
  const out = Buffer.alloc(4);
  out.writeUInt32LE(value);
  return out;
}
