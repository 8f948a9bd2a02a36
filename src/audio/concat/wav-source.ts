/**
 * Reads the header of a plain WAV file (integer PCM or IEEE float, possibly WAVE_FORMAT_EXTENSIBLE, possibly
 * RF64) so its samples can be streamed without ffmpeg. Anything unusual (compressed WAV, inconsistent sizes) is
 * left to ffmpeg, which reads more than this ever will and reports what is wrong with the file.
 */
import { open } from "node:fs/promises";
import { BYTES_PER_SAMPLE, type PcmSource, type SampleFormat } from "./pcm-source.js";

const WAVE_FORMAT_PCM = 1;
const WAVE_FORMAT_IEEE_FLOAT = 3;
const WAVE_FORMAT_EXTENSIBLE = 0xfffe;
/** Most headers fit the first read; one with long metadata gets a second, larger one; past that, ffmpeg. */
const HEADER_READS = [4 * 1024, 64 * 1024];

interface Fmt {
  channels: number;
  sampleRate: number;
  format: SampleFormat;
}

/** The file's samples as a {@link PcmSource}, or undefined when it is not a WAV this module reads. */
export async function readWavSource(path: string): Promise<PcmSource | undefined> {
  const handle = await open(path, "r");
  try {
    const { size } = await handle.stat();
    for (const length of HEADER_READS) {
      const head = Buffer.alloc(Math.min(length, size));
      await handle.read(head, 0, head.length, 0);
      const source = parseHeader(head, { path, fileBytes: size });
      if (source !== undefined || head.length === size) return source;
    }
    return undefined;
  } finally {
    await handle.close();
  }
}

function parseHeader(buf: Buffer, file: { path: string; fileBytes: number }): PcmSource | undefined {
  const magic = buf.toString("latin1", 0, 4);
  if (buf.length < 12 || (magic !== "RIFF" && magic !== "RF64") || buf.toString("latin1", 8, 12) !== "WAVE") {
    return undefined;
  }
  let fmt: Fmt | undefined;
  for (let offset = 12; offset + 8 <= buf.length;) {
    const id = buf.toString("latin1", offset, offset + 4);
    const size = buf.readUInt32LE(offset + 4);
    const dataOffset = offset + 8;
    if (id === "data") return fmt === undefined ? undefined : dataSource(fmt, { ...file, dataOffset, size });
    if (id === "fmt ") fmt = readFmt(buf.subarray(dataOffset, dataOffset + size));
    offset = dataOffset + size + (size % 2); // chunks are padded to even sizes
  }
  return undefined;
}

interface DataChunk {
  path: string;
  fileBytes: number;
  dataOffset: number;
  size: number;
}

function dataSource(fmt: Fmt, data: DataChunk): PcmSource | undefined {
  const available = data.fileBytes - data.dataOffset;
  // Writers that stream to a pipe (ffmpeg, sox) leave 0 or 0xFFFFFFFF here, and RF64 files (longer than 4 GiB)
  // always 0xFFFFFFFF: the samples run to the end of the file.
  const declared = data.size === 0 || data.size === 0xffffffff ? available : data.size;
  if (declared > available) return undefined;
  const frames = Math.floor(declared / (fmt.channels * BYTES_PER_SAMPLE[fmt.format]));
  return { path: data.path, dataOffset: data.dataOffset, frames, ...fmt };
}

function readFmt(body: Buffer): Fmt | undefined {
  if (body.length < 16) return undefined;
  const tag = body.readUInt16LE(0);
  // WAVE_FORMAT_EXTENSIBLE names the real format in the first two bytes of its sub-format GUID.
  const base = tag === WAVE_FORMAT_EXTENSIBLE && body.length >= 26 ? body.readUInt16LE(24) : tag;
  const channels = body.readUInt16LE(2);
  const sampleRate = body.readUInt32LE(4);
  const blockAlign = body.readUInt16LE(12);
  const bits = body.readUInt16LE(14);
  const format = sampleFormat(base, bits);
  if (format === undefined || channels === 0 || sampleRate === 0) return undefined;
  if (blockAlign !== channels * BYTES_PER_SAMPLE[format]) return undefined;
  return { channels, sampleRate, format };
}

function sampleFormat(tag: number, bits: number): SampleFormat | undefined {
  if (tag === WAVE_FORMAT_IEEE_FLOAT) return bits === 32 ? "f32" : bits === 64 ? "f64" : undefined;
  if (tag !== WAVE_FORMAT_PCM) return undefined;
  const byBits: Record<number, SampleFormat> = { 8: "u8", 16: "s16", 24: "s24", 32: "s32" };
  return byBits[bits];
}
