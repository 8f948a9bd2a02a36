import { expect } from "chai";
import { AudioToolError } from "../../../src/audio/audio-errors.js";
import { MonoWavReader } from "../../../src/audio/wav-reader.js";
import { PayloadTooLargeError } from "../../../src/domain/errors.js";

/** ffmpeg's piped WAV: size placeholders, a LIST chunk before the data, WAVE_FORMAT_EXTENSIBLE when `extensible`. */
function pipedWav(options: { sampleRate: number; frames: number[][]; extensible?: boolean }): Buffer {
  const channels = options.frames[0]!.length;
  const fmt = Buffer.alloc(options.extensible ? 40 : 18);
  fmt.writeUInt16LE(options.extensible ? 0xfffe : 3, 0);
  fmt.writeUInt16LE(channels, 2);
  fmt.writeUInt32LE(options.sampleRate, 4);
  fmt.writeUInt32LE(options.sampleRate * 4 * channels, 8);
  fmt.writeUInt16LE(4 * channels, 12);
  fmt.writeUInt16LE(32, 14);
  if (options.extensible) {
    fmt.writeUInt16LE(22, 16);
    fmt.writeUInt16LE(3, 24); // KSDATAFORMAT_SUBTYPE_IEEE_FLOAT starts with the plain tag
  }
  const list = Buffer.from("INFOISFT\x05\x00\x00\x00Lavf\x00\x00", "latin1"); // odd-sized entry, padded
  const data = Buffer.alloc(options.frames.length * channels * 4);
  options.frames.flat().forEach((x, i) => data.writeFloatLE(x, i * 4));
  return Buffer.concat([
    Buffer.from("RIFF\xff\xff\xff\xffWAVE", "latin1"),
    chunk("fmt ", fmt),
    chunk("LIST", list),
    chunk("data", data, 0xffffffff),
  ]);
}

function chunk(id: string, body: Buffer, size = body.length): Buffer {
  const head = Buffer.alloc(8);
  head.write(id, 0, "latin1");
  head.writeUInt32LE(size, 4);
  return Buffer.concat([head, body]);
}

function read(bytes: Buffer, chunkSize: number, maxSamples?: number) {
  const reader = new MonoWavReader(maxSamples);
  for (let at = 0; at < bytes.length; at += chunkSize) reader.push(bytes.subarray(at, at + chunkSize));
  return reader.finish();
}

function thrown(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    return error;
  }
  return expect.fail("expected an error");
}

describe("audio/wav-reader", () => {
  const stereo = pipedWav({
    sampleRate: 22050,
    frames: [
      [0.5, -0.5],
      [1, 0],
      [0.25, 0.75],
    ],
  });

  it("reads mono samples and the rate past a LIST chunk, in one piece or a byte at a time", () => {
    const bytes = pipedWav({ sampleRate: 16000, frames: [[0.5], [-0.25], [0.125]] });
    for (const size of [bytes.length, 7, 1]) {
      const pcm = read(bytes, size);
      expect(pcm.sampleRate, `chunks of ${size}`).to.equal(16000);
      expect(Array.from(pcm.samples), `chunks of ${size}`).to.deep.equal([0.5, -0.25, 0.125]);
    }
  });

  it("averages channels, whatever the chunk boundaries", () => {
    for (const size of [stereo.length, 5, 3, 1]) {
      expect(Array.from(read(stereo, size).samples), `chunks of ${size}`).to.deep.equal([0, 0.5, 0.5]);
    }
  });

  it("reads WAVE_FORMAT_EXTENSIBLE float streams (ffmpeg's choice past two channels)", () => {
    const bytes = pipedWav({ sampleRate: 48000, frames: [[0.1, 0.2, 0.3, 0.4, 0.5, 0.6]], extensible: true });
    const pcm = read(bytes, 11);
    expect(pcm.sampleRate).to.equal(48000);
    expect(pcm.samples[0]).to.be.closeTo(0.35, 1e-7);
  });

  it("drops a partial last frame", () => {
    expect(read(stereo.subarray(0, stereo.length - 3), 4).samples).to.have.length(2);
  });

  it("fails with PayloadTooLargeError past its sample limit", () => {
    expect(read(stereo, 1, 3).samples).to.have.length(3);
    expect(thrown(() => read(stereo, 1, 2))).to.be.instanceOf(PayloadTooLargeError);
  });

  it("blames the tool for anything but a float WAV stream", () => {
    const integer = Buffer.from(stereo);
    integer.writeUInt16LE(1, 20); // format tag: integer PCM
    for (const bytes of [Buffer.from("not a wav file at all"), integer, stereo.subarray(0, 30)]) {
      const error = thrown(() => read(bytes, 4));
      expect(error).to.be.instanceOf(AudioToolError);
      expect((error as AudioToolError).code).to.equal("AUDIO_TOOL_FAILED");
    }
  });
});
