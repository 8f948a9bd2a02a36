/**
 * Reads where things are in a RIFF/WAVE file: the `fmt ` description and the `data` bytes. Chunks are walked
 * one by one because real files carry LIST, fact, bext, JUNK… chunks before `data`, so the samples do not
 * always start at byte 44.
 */
import { invalidAudio } from "./audio-errors.js";

export const WAVE_FORMAT_PCM = 1;
export const WAVE_FORMAT_IEEE_FLOAT = 3;
export const WAVE_FORMAT_EXTENSIBLE = 0xfffe;

/** The tail shared by every KSDATAFORMAT_SUBTYPE GUID; its first two bytes are the plain format tag. */
const SUBTYPE_GUID_TAIL = Buffer.from("000000001000800000aa00389b71", "hex");

/** Where the samples are and how they are encoded. */
export interface WavLayout {
  /** 1 (integer PCM) or 3 (IEEE float); WAVE_FORMAT_EXTENSIBLE files report their sub-format here. */
  formatTag: number;
  /** True when the file used WAVE_FORMAT_EXTENSIBLE (0xFFFE). */
  extensible: boolean;
  channels: number;
  sampleRate: number;
  /** Container size of one sample in bits (8, 16, 24, 32 or 64). */
  bitsPerSample: number;
  /** Bytes of one frame (all channels of one instant). */
  frameBytes: number;
  dataOffset: number;
  /** Bytes of sample data present in the buffer, rounded down to whole frames. */
  dataLength: number;
}

interface FmtFields {
  formatTag: number;
  extensible: boolean;
  channels: number;
  sampleRate: number;
  bitsPerSample: number;
}

/**
 * Parses the header of a WAV file held in `buf`.
 * A `data` size larger than the buffer (streamed files write 0xFFFFFFFF; truncated files lie) is clamped to the
 * bytes present, as ffmpeg and libsndfile do.
 * @throws BadRequestError `INVALID_AUDIO` when the bytes are not a WAV file we can decode.
 */
export function readWavLayout(buf: Buffer): WavLayout {
  checkRiffHeader(buf);
  let fmt: FmtFields | undefined;
  let data: { offset: number; length: number } | undefined;
  let offset = 12;
  while (offset + 8 <= buf.length && (fmt === undefined || data === undefined)) {
    const id = buf.toString("latin1", offset, offset + 4);
    const size = buf.readUInt32LE(offset + 4);
    const bodyStart = offset + 8;
    const available = buf.length - bodyStart;
    if (id === "fmt ") {
      if (size > available) throw invalidAudio("WAV 'fmt ' chunk is truncated");
      fmt = parseFmt(buf.subarray(bodyStart, bodyStart + size));
    } else if (id === "data") {
      data = { offset: bodyStart, length: Math.min(size, available) };
      // A clamped data chunk runs to the end of the buffer; nothing can follow it.
      if (size >= available) break;
    }
    offset = bodyStart + size + (size % 2); // chunks are padded to even sizes
  }
  if (fmt === undefined) throw invalidAudio("WAV file has no 'fmt ' chunk before its end");
  if (data === undefined) throw invalidAudio("WAV file has no 'data' chunk");
  const frameBytes = (fmt.bitsPerSample / 8) * fmt.channels;
  const dataLength = data.length - (data.length % frameBytes);
  return { ...fmt, frameBytes, dataOffset: data.offset, dataLength };
}

function checkRiffHeader(buf: Buffer): void {
  if (buf.length < 12) throw invalidAudio("Audio is too short to be a WAV file");
  const riff = buf.toString("latin1", 0, 4);
  if (riff === "RF64" || riff === "RIFX") {
    throw invalidAudio(`${riff} WAV files are not supported; convert to a standard RIFF WAV`);
  }
  if (riff !== "RIFF" || buf.toString("latin1", 8, 12) !== "WAVE") {
    throw invalidAudio("Audio is not a WAV file (missing RIFF/WAVE header)");
  }
}

function parseFmt(body: Buffer): FmtFields {
  if (body.length < 16) throw invalidAudio("WAV 'fmt ' chunk is shorter than 16 bytes");
  const rawTag = body.readUInt16LE(0);
  const channels = body.readUInt16LE(2);
  const sampleRate = body.readUInt32LE(4);
  const bitsPerSample = body.readUInt16LE(14);
  const extensible = rawTag === WAVE_FORMAT_EXTENSIBLE;
  const formatTag = extensible ? subFormatTag(body) : rawTag;
  if (channels === 0) throw invalidAudio("WAV header declares 0 channels");
  if (sampleRate === 0) throw invalidAudio("WAV header declares a sample rate of 0 Hz");
  checkEncoding(formatTag, bitsPerSample);
  return { formatTag, extensible, channels, sampleRate, bitsPerSample };
}

function subFormatTag(body: Buffer): number {
  if (body.length < 40) throw invalidAudio("WAVE_FORMAT_EXTENSIBLE 'fmt ' chunk is shorter than 40 bytes");
  const guid = body.subarray(24, 40);
  if (!guid.subarray(2).equals(SUBTYPE_GUID_TAIL)) {
    throw invalidAudio("WAVE_FORMAT_EXTENSIBLE file has an unknown sub-format");
  }
  return guid.readUInt16LE(0);
}

function checkEncoding(formatTag: number, bits: number): void {
  const pcmOk = formatTag === WAVE_FORMAT_PCM && [8, 16, 24, 32].includes(bits);
  const floatOk = formatTag === WAVE_FORMAT_IEEE_FLOAT && (bits === 32 || bits === 64);
  if (!pcmOk && !floatOk) {
    throw invalidAudio(
      `Unsupported WAV encoding (format tag ${formatTag}, ${bits} bits); ` +
        "supported: integer PCM 8/16/24/32-bit and IEEE float 32/64-bit",
    );
  }
}
