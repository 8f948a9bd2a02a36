import { expect } from "chai";
import { access, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { AudioToolError } from "../../../src/audio/audio-errors.js";
import {
  PCM_STREAM_RATE,
  STREAM_CONTENT_TYPES,
  STREAM_FORMATS,
  encodeStream,
  type StreamEncodeOptions,
  type StreamFormat,
} from "../../../src/audio/stream-encoder.js";
import { decodeAudio } from "../../helpers/audio-file.js";
import { ffprobeJson } from "../../helpers/ffprobe.js";
import { rejection } from "../../helpers/rejection.js";
import { sine } from "../../helpers/wav-builder.js";

const RATE = 24000;
const SETTINGS = { mp3BitrateKbps: 160, opusBitrateKbps: 96, aacBitrateKbps: 144 };
const TONE = sine({ freq: 440, seconds: 2, sampleRate: RATE });
/** 0.1 s at the input rate. */
const CHUNK = RATE / 10;
/** LAME's encoder delay (576 + 529 samples) and its frame at 24 kHz (MPEG-2 Layer III). */
const MP3_DELAY = 1105;
const MP3_FRAME = 576;
const AAC_FRAME = 1024;
const WAV_HEADER_BYTES = 44;

/** Yields `samples` in chunks of `size` (copies, as an engine would hand over fresh arrays). */
async function* chunks(samples: Float32Array, size = CHUNK): AsyncGenerator<Float32Array> {
  for (let i = 0; i < samples.length; i += size) yield samples.slice(i, i + size);
}

async function collect(stream: AsyncIterable<Buffer>): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const part of stream) parts.push(part);
  return Buffer.concat(parts);
}

function options(format: StreamFormat, extra: Partial<StreamEncodeOptions> = {}): StreamEncodeOptions {
  return { format, sampleRate: RATE, settings: SETTINGS, ...extra };
}

function pcmFloats(bytes: Buffer): Float32Array {
  const out = new Float32Array(bytes.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = bytes.readInt16LE(i * 2) / 32768;
  return out;
}

/**
 * Swings across zero: a 440 Hz tone has 880 a second, whatever its rate. A swing counts once it reaches 0.1 on
 * the other side, so the faint noise of a codec's priming silence does not count.
 */
function zeroCrossings(samples: Float32Array): number {
  let count = 0;
  let side = 0;
  for (const x of samples) {
    const now = x > 0.1 ? 1 : x < -0.1 ? -1 : side;
    if (side !== 0 && now !== side) count++;
    side = now;
  }
  return count;
}

/** Seconds of audio in a (possibly partial) stream, as a player would decode it so far. */
async function playableSeconds(format: StreamFormat, bytes: Buffer, rate = RATE): Promise<number> {
  if (format === "pcm") return bytes.length / 2 / PCM_STREAM_RATE;
  if (format === "wav") return Math.max(0, bytes.length - WAV_HEADER_BYTES) / 2 / rate;
  const decoded = await decodeAudio(bytes).catch(() => undefined);
  return decoded === undefined ? 0 : decoded.samples.length / decoded.sampleRate;
}

/** A promise the test resolves when it chooses. */
function gate(): { opened: Promise<void>; open: () => void } {
  let open: () => void = () => undefined;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { opened, open };
}

/** Whether a process is still there (signal 0 only checks). */
function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe("audio/stream-encoder", () => {
  let dir: string;
  /** Runs the real ffmpeg after recording its pid (exec keeps it), so tests can see whether it is gone. */
  let tracedFfmpeg: string;
  const pidFile = () => join(dir, "ffmpeg.pid");
  const ffmpegPid = async () => Number(await readFile(pidFile(), "utf8"));
  const ffmpegStarted = () =>
    access(pidFile()).then(
      () => true,
      () => false,
    );

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "stream-encoder-test-"));
    tracedFfmpeg = join(dir, "traced-ffmpeg.sh");
    await writeFile(tracedFfmpeg, `#!/bin/sh\necho $$ > "${pidFile()}"\nexec ffmpeg "$@"\n`, { mode: 0o755 });
  });
  beforeEach(async () => {
    await rm(pidFile(), { force: true });
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("names a Content-Type for every format", () => {
    expect(Object.keys(STREAM_CONTENT_TYPES)).to.have.members([...STREAM_FORMATS]);
    expect(STREAM_CONTENT_TYPES).to.include({ mp3: "audio/mpeg", opus: "audio/ogg", aac: "audio/aac" });
  });

  describe("a 2 s 440 Hz tone at 24 kHz in 0.1 s chunks", () => {
    // What ffprobe reads from the bytes, and how long they decode. Lossless formats keep every sample. Ogg Opus
    // tells the decoder to drop the encoder's priming (pre-skip); ADTS and a piped MP3 cannot, so it stays, with
    // the last frame's padding.
    const cases: Array<{ format: StreamFormat; container: string; codec: string; rate: number; seconds: number[] }> = [
      { format: "mp3", container: "mp3", codec: "mp3", rate: RATE, seconds: [2, 2 + (MP3_DELAY + MP3_FRAME) / RATE] },
      { format: "opus", container: "ogg", codec: "opus", rate: 48000, seconds: [1.98, 2.02] },
      { format: "aac", container: "aac", codec: "aac", rate: RATE, seconds: [2, 2 + (2 * AAC_FRAME) / RATE] },
      { format: "flac", container: "flac", codec: "flac", rate: RATE, seconds: [2, 2] },
      { format: "wav", container: "wav", codec: "pcm_s16le", rate: RATE, seconds: [2, 2] },
    ];
    for (const { format, container, codec, rate, seconds } of cases) {
      it(`${format}: mono ${codec} in ${container} at ${rate} Hz that decodes to the tone`, async () => {
        const bytes = await collect(encodeStream(chunks(TONE), options(format)));
        const { stream, format: probed } = await ffprobeJson(bytes, "stream=codec_name,sample_rate,channels:format");
        expect(probed.format_name).to.equal(container);
        expect(stream).to.include({ codec_name: codec, sample_rate: String(rate), channels: 1 });
        const decoded = await decodeAudio(bytes);
        const duration = decoded.samples.length / decoded.sampleRate;
        expect(duration).to.be.within(seconds[0]!, seconds[1]!);
        expect(zeroCrossings(decoded.samples) / duration).to.be.closeTo(880, 880 * 0.04);
      });
    }

    it("pcm: exactly 2 bytes per sample, the input scaled by 32767 and rounded half away from zero", async () => {
      const bytes = await collect(encodeStream(chunks(TONE), options("pcm")));
      expect(bytes.length).to.equal(2 * 48000);
      const expected = Buffer.alloc(bytes.length);
      TONE.forEach((x, i) => expected.writeInt16LE(Math.sign(x) * Math.round(Math.abs(x * 32767)), i * 2));
      expect(bytes.equals(expected)).to.equal(true);
    });

    it("pcm from 22.05 kHz: resampled to 24 kHz, as long and at the same pitch", async () => {
      const tone = sine({ freq: 440, seconds: 2, sampleRate: 22050 });
      const bytes = await collect(encodeStream(chunks(tone, 2205), options("pcm", { sampleRate: 22050 })));
      const samples = pcmFloats(bytes);
      expect(samples.length).to.be.closeTo(48000, 8);
      expect(zeroCrossings(samples)).to.be.closeTo(1760, 4);
    });

    it("wav and 24 kHz pcm clip samples beyond full scale instead of wrapping around, without ffmpeg", async () => {
      const loud = Float32Array.from([1.5, -1.5, 1, -1, 0.25, -0.25, 0, NaN]);
      const expected = [32767, -32767, 32767, -32767, 8192, -8192, 0, 0];
      const pcm = await collect(encodeStream(chunks(loud), options("pcm", { ffmpegPath: tracedFfmpeg })));
      const wav = await collect(encodeStream(chunks(loud), options("wav", { ffmpegPath: tracedFfmpeg })));
      for (const bytes of [pcm, wav.subarray(WAV_HEADER_BYTES)]) {
        expect(expected.map((_, i) => bytes.readInt16LE(i * 2))).to.deep.equal(expected);
      }
      expect(await ffmpegStarted()).to.equal(false);
    });
  });

  describe("streaming WAV", () => {
    it("starts with a header of unknown length for 16-bit mono PCM at the input rate", async () => {
      const rate = 22050;
      const tone = sine({ freq: 440, seconds: 1, sampleRate: rate });
      const bytes = await collect(encodeStream(chunks(tone), options("wav", { sampleRate: rate })));
      expect(bytes.toString("latin1", 0, 4)).to.equal("RIFF");
      expect(bytes.readUInt32LE(4)).to.equal(0xffffffff);
      expect(bytes.toString("latin1", 8, 16)).to.equal("WAVEfmt ");
      expect(bytes.readUInt32LE(16)).to.equal(16);
      expect(bytes.readUInt16LE(20), "format: PCM").to.equal(1);
      expect(bytes.readUInt16LE(22), "channels").to.equal(1);
      expect(bytes.readUInt32LE(24), "sample rate").to.equal(rate);
      expect(bytes.readUInt32LE(28), "bytes per second").to.equal(rate * 2);
      expect(bytes.readUInt16LE(32), "block align").to.equal(2);
      expect(bytes.readUInt16LE(34), "bits per sample").to.equal(16);
      expect(bytes.toString("latin1", 36, 40)).to.equal("data");
      expect(bytes.readUInt32LE(40)).to.equal(0xffffffff);
      expect(bytes.length).to.equal(WAV_HEADER_BYTES + 2 * rate);
      // ffmpeg reads such a stream to its end.
      const decoded = await decodeAudio(bytes);
      expect(decoded.sampleRate).to.equal(rate);
      expect(decoded.samples.length).to.equal(rate);
    });

    it("is only the header for an empty input, and pcm is empty", async () => {
      const none = async function* (): AsyncGenerator<Float32Array> {};
      expect((await collect(encodeStream(none(), options("wav")))).length).to.equal(WAV_HEADER_BYTES);
      expect((await collect(encodeStream(none(), options("pcm")))).length).to.equal(0);
    });
  });

  it("ends the compressed streams of an empty input without hanging", async () => {
    const none = async function* (): AsyncGenerator<Float32Array> {};
    for (const format of ["mp3", "opus", "aac", "flac"] as const) {
      // Headers at most: mp3 its ID3 tag, Ogg its Opus headers, FLAC its STREAMINFO and 8 KiB of padding.
      const bytes = await collect(encodeStream(none(), options(format)));
      expect(bytes.length, format).to.be.below(10_000);
    }
    const resampled = await collect(encodeStream(none(), options("pcm", { sampleRate: 22050 })));
    expect(resampled.length).to.equal(0);
  });

  describe("progressive output", () => {
    // The input hands over 1 s, then waits until the consumer has received playable audio. An encoder that
    // held its output until the input ended would wait forever, and the test would time out.
    // Aborted after each test, so a failing one does not leave its ffmpeg waiting for input.
    let cleanup: AbortController;
    beforeEach(() => {
      cleanup = new AbortController();
    });
    afterEach(() => {
      cleanup.abort();
    });
    const cases: Array<[StreamFormat, number]> = [
      ["mp3", RATE],
      ["opus", RATE],
      ["aac", RATE],
      ["flac", RATE],
      ["wav", RATE],
      ["pcm", RATE],
      ["pcm", 22050],
    ];
    for (const [format, rate] of cases) {
      it(`${format} from ${rate} Hz: playable audio arrives before the input ends`, async () => {
        const playable = gate();
        const tone = sine({ freq: 440, seconds: 2, sampleRate: rate });
        async function* input(): AsyncGenerator<Float32Array> {
          yield* chunks(tone.subarray(0, rate), rate / 10);
          await playable.opened;
          yield* chunks(tone.subarray(rate), rate / 10);
        }
        const parts: Buffer[] = [];
        let before = 0;
        for await (const part of encodeStream(input(), options(format, { sampleRate: rate, signal: cleanup.signal }))) {
          parts.push(part);
          if (before === 0) {
            before = await playableSeconds(format, Buffer.concat(parts), rate);
            if (before > 0) playable.open();
          }
        }
        expect(before).to.be.above(0).and.at.most(1.1);
        expect(await playableSeconds(format, Buffer.concat(parts), rate)).to.be.at.least(1.95);
      });
    }
  });

  describe("stopping", () => {
    /** Yields the tone over and over until it is told to stop; `stopped` resolves once it has been. */
    function endless(): { input: AsyncGenerator<Float32Array>; stopped: Promise<void> } {
      let markStopped: () => void = () => undefined;
      const stopped = new Promise<void>((resolve) => (markStopped = resolve));
      async function* input(): AsyncGenerator<Float32Array> {
        try {
          for (;;) yield* chunks(TONE);
        } finally {
          markStopped();
        }
      }
      return { input: input(), stopped };
    }

    for (const format of ["mp3", "opus", "pcm"] as const) {
      const sampleRate = format === "pcm" ? 22050 : RATE;
      it(`${format}: breaking out after the first chunk stops ffmpeg and the input`, async () => {
        const { input, stopped } = endless();
        let received = 0;
        for await (const part of encodeStream(input, options(format, { sampleRate, ffmpegPath: tracedFfmpeg }))) {
          received += part.length;
          break;
        }
        expect(received).to.be.above(0);
        expect(isRunning(await ffmpegPid())).to.equal(false);
        await stopped;
      });
    }

    it("stops ffmpeg at once while the input is still producing its next chunk", async () => {
      async function* stalls(): AsyncGenerator<Float32Array> {
        yield* chunks(TONE);
        await new Promise(() => undefined);
      }
      const stream = encodeStream(stalls(), options("opus", { ffmpegPath: tracedFfmpeg }));
      expect((await stream.next()).done).to.equal(false);
      const start = performance.now();
      await stream.return(undefined);
      // ffmpeg was waiting for input: ending it must not take the 2 s after which it would be force-killed.
      expect(performance.now() - start).to.be.below(1500);
      expect(isRunning(await ffmpegPid())).to.equal(false);
    });

    for (const format of ["mp3", "wav"] as const) {
      it(`${format}: aborting the signal rejects with its reason and stops the input`, async () => {
        const { input, stopped } = endless();
        const controller = new AbortController();
        const reason = new Error("client went away");
        const stream = encodeStream(input, options(format, { signal: controller.signal, ffmpegPath: tracedFfmpeg }));
        // On the second chunk: the first of wav is its header, sent before the input is asked for anything.
        let received = 0;
        const error = await rejection(
          (async () => {
            for await (const _ of stream) if (++received === 2) controller.abort(reason);
          })(),
        );
        expect(error).to.equal(reason);
        await stopped;
        if (format === "mp3") expect(isRunning(await ffmpegPid())).to.equal(false);
      });
    }

    it("does not start ffmpeg for an already aborted signal", async () => {
      const stream = encodeStream(
        chunks(TONE),
        options("aac", { signal: AbortSignal.abort(), ffmpegPath: tracedFfmpeg }),
      );
      expect(((await rejection(collect(stream))) as Error).name).to.equal("AbortError");
      expect(await ffmpegStarted()).to.equal(false);
    });
  });

  describe("failures", () => {
    for (const format of ["aac", "wav"] as const) {
      it(`${format}: the input's error reaches the consumer, after ffmpeg has stopped`, async () => {
        const failure = new Error("synthesis failed");
        const outputSeen = gate();
        // It fails once output has come out, so the encoder is surely running by then.
        async function* failing(): AsyncGenerator<Float32Array> {
          yield* chunks(TONE.subarray(0, RATE));
          await outputSeen.opened;
          throw failure;
        }
        const stream = encodeStream(failing(), options(format, { ffmpegPath: tracedFfmpeg }));
        const error = await rejection(
          (async () => {
            for await (const _ of stream) outputSeen.open();
          })(),
        );
        expect(error).to.equal(failure);
        if (format === "aac") expect(isRunning(await ffmpegPid())).to.equal(false);
      });
    }

    it("tells the operator to install ffmpeg when it is missing", async () => {
      const stream = encodeStream(chunks(TONE), options("mp3", { ffmpegPath: join(dir, "no-such-ffmpeg") }));
      const error = await rejection<AudioToolError>(collect(stream));
      expect(error).to.be.instanceOf(AudioToolError);
      expect(error.code).to.equal("FFMPEG_NOT_FOUND");
      expect(error.message).to.match(/install ffmpeg/);
    });

    it("reports ffmpeg's failure as the file encoders do", async () => {
      // A stand-in for ffmpeg that fails without reading its input.
      const ffmpegPath = join(dir, "fails.sh");
      await writeFile(ffmpegPath, '#!/bin/sh\necho "Conversion failed!" >&2\nexit 1\n', { mode: 0o755 });
      const error = await rejection<AudioToolError>(
        collect(encodeStream(chunks(TONE), options("opus", { ffmpegPath }))),
      );
      expect(error).to.be.instanceOf(AudioToolError);
      expect(error.code).to.equal("AUDIO_TOOL_FAILED");
      expect(error.message).to.equal("ffmpeg failed to encode opus (exit code 1): Conversion failed!");
    });

    it("rejects a sample rate that is not a positive integer", () => {
      expect(() => encodeStream(chunks(TONE), options("wav", { sampleRate: 0 }))).to.throw(RangeError);
    });
  });
});
