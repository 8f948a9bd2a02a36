/**
 * Encoders for speech that is still being synthesized: chunks of mono float samples go in, encoded bytes come
 * out as soon as the encoder has them, so a client can start playing after the first segment. 16-bit PCM and
 * WAV are converted in-process (no subprocess, no added latency); the compressed formats (and PCM that needs
 * resampling) run one ffmpeg per stream, fed through its stdin no faster than it reads, in containers that need
 * no rewinding at the end.
 */
import { execa } from "execa";
import type { Writable } from "node:stream";
import { compressedCodecArgs, type CompressedFormat, type EncoderSettings } from "./ffmpeg.js";
import { failureError, ffmpegArgs, type FfmpegCommonOptions } from "./ffmpeg-run.js";
import { float32ToF32le } from "./pcm.js";
import { float32ToS16le, streamingWavHeader } from "./streaming-wav.js";

export const STREAM_FORMATS = ["mp3", "opus", "aac", "flac", "wav", "pcm"] as const;
export type StreamFormat = (typeof STREAM_FORMATS)[number];

/**
 * Content-Type of each streamed format. No registered type describes `pcm`: `audio/L16` (RFC 2586) means
 * big-endian samples, the opposite byte order. `audio/pcm` still tells a client the body is audio, which
 * `application/octet-stream` would not; the layout itself is the documented one (see {@link PCM_STREAM_RATE}).
 */
export const STREAM_CONTENT_TYPES: Readonly<Record<StreamFormat, string>> = {
  mp3: "audio/mpeg",
  opus: "audio/ogg",
  aac: "audio/aac",
  flac: "audio/flac",
  wav: "audio/wav",
  pcm: "audio/pcm",
};

/** The rate of `pcm` output: OpenAI's raw format is 24 kHz, 16-bit signed little-endian, mono. */
export const PCM_STREAM_RATE = 24_000;

/** Options of {@link encodeStream}. */
export interface StreamEncodeOptions extends FfmpegCommonOptions {
  format: StreamFormat;
  /** Rate of the input samples. */
  sampleRate: number;
  /** Bitrates (config `audio`). */
  settings: EncoderSettings;
}

/** The formats ffmpeg encodes in a stream. */
type FfmpegStreamFormat = CompressedFormat | "pcm";

/** The muxer of each compressed format in a stream, none of which has to rewind its output when it ends. */
const STREAM_MUXERS: Readonly<Record<CompressedFormat, readonly string[]>> = {
  // ffmpeg leaves out the Xing/LAME tag on a pipe (its counts are known only at the end), so decoders keep
  // LAME's encoder delay: the audio starts ~46 ms late at 24 kHz.
  mp3: ["-f", "mp3"],
  // The Ogg muxer holds pages of 1 s by default; 100 ms pages send audio promptly for ~30 bytes of page header
  // each (under 3 % at 96 kbps).
  opus: ["-page_duration", "100000", "-f", "opus"],
  // ADTS, not the file export's M4A: every frame carries its own header, so playback starts from any byte.
  aac: ["-f", "adts"],
  // STREAMINFO keeps a zero length and MD5 (they are only known at the end); decoders do not need them.
  flac: ["-f", "flac"],
};

/**
 * Encodes the chunks as they arrive and yields encoded bytes as soon as the encoder produces them.
 * The chunks are mono float samples in [-1, 1] at `sampleRate`. Iterate to the end or stop early (`break`,
 * `return()`): stopping, or `signal` aborting, kills ffmpeg and calls `return()` on the input.
 * @throws RangeError (at once) for a non-positive or fractional sample rate. While iterating: the input's own
 *   error, the abort reason, or AudioToolError (`FFMPEG_NOT_FOUND`, `AUDIO_TOOL_FAILED`); ffmpeg has exited
 *   before any of them is thrown.
 */
export function encodeStream(input: AsyncIterable<Float32Array>, options: StreamEncodeOptions): AsyncGenerator<Buffer> {
  const { format, sampleRate } = options;
  if (!Number.isInteger(sampleRate) || sampleRate <= 0) {
    throw new RangeError(`sampleRate must be a positive integer, got ${sampleRate}`);
  }
  if (format === "wav") return convertInProcess(input, options.signal, streamingWavHeader(sampleRate));
  if (format === "pcm" && sampleRate === PCM_STREAM_RATE) return convertInProcess(input, options.signal);
  return encodeWithFfmpeg(input, { ...options, format });
}

/** 16-bit samples at the input rate, after `header` when there is one. */
async function* convertInProcess(
  input: AsyncIterable<Float32Array>,
  signal: AbortSignal | undefined,
  header?: Buffer,
): AsyncGenerator<Buffer> {
  signal?.throwIfAborted();
  const source = new ChunkSource(input);
  const stop = () => source.stop();
  signal?.addEventListener("abort", stop, { once: true });
  try {
    if (header !== undefined) yield header;
    for (let chunk = await source.next(); chunk !== undefined; chunk = await source.next()) {
      if (chunk.length > 0) yield float32ToS16le(chunk);
    }
    signal?.throwIfAborted();
  } finally {
    signal?.removeEventListener("abort", stop);
    source.stop();
  }
}

async function* encodeWithFfmpeg(
  input: AsyncIterable<Float32Array>,
  options: StreamEncodeOptions & { format: FfmpegStreamFormat },
): AsyncGenerator<Buffer> {
  const { signal } = options;
  signal?.throwIfAborted();
  const subprocess = execa(options.ffmpegPath ?? "ffmpeg", ffmpegArgs(streamArgs(options)), {
    reject: false,
    stdin: "pipe",
    stdout: "pipe",
    buffer: { stdout: false },
    forceKillAfterDelay: 2000,
    ...(signal !== undefined ? { cancelSignal: signal } : {}),
  });
  const feeder = new StdinFeeder(new ChunkSource(input), subprocess.stdin, () => subprocess.kill());
  // ffmpeg blocked reading stdin only sees the kill once its input ends, so aborting closes stdin too.
  const stop = () => feeder.stop();
  signal?.addEventListener("abort", stop, { once: true });
  const feeding = feeder.run();
  try {
    for await (const chunk of subprocess.stdout) yield chunk as Buffer;
    const result = await subprocess;
    feeder.stop();
    await feeding;
    signal?.throwIfAborted();
    if (feeder.failure !== undefined) throw feeder.failure.error;
    if (result.failed) throw failureError({ ...options, action: `encode ${options.format}` }, result);
  } finally {
    signal?.removeEventListener("abort", stop);
    feeder.stop();
    subprocess.kill();
    await subprocess;
  }
}

/** ffmpeg's arguments: raw float samples on stdin, the stream on stdout. */
function streamArgs({ format, sampleRate, settings }: { format: FfmpegStreamFormat } & StreamEncodeOptions): string[] {
  // ffmpeg reads up to `-probesize` bytes (5 MB, a minute of audio) before it encodes anything, even of raw
  // samples whose format the arguments give; 32 is the least it takes.
  const input = ["-probesize", "32", "-f", "f32le", "-ar", String(sampleRate), "-ac", "1", "-i", "pipe:0"];
  const output =
    format === "pcm"
      ? ["-af", `aresample=${PCM_STREAM_RATE}:resampler=soxr`, "-c:a", "pcm_s16le", "-f", "s16le"]
      : [...compressedCodecArgs(format, sampleRate, settings), ...STREAM_MUXERS[format]];
  // -flush_packets: each packet leaves as soon as it is muxed, not when ffmpeg's output buffer fills.
  return [...input, "-flush_packets", "1", ...output, "pipe:1"];
}

/** Writes the input's chunks to ffmpeg's stdin as raw float32le, no faster than ffmpeg reads them. */
class StdinFeeder {
  /** What the input threw. */
  failure: { error: unknown } | undefined;
  private stopped = false;

  constructor(
    private readonly source: ChunkSource,
    private readonly stdin: Writable,
    private readonly onInputFailure: () => void,
  ) {}

  /** Feeds until the input ends (then closes stdin), fails, or ffmpeg stops reading; never rejects. */
  async run(): Promise<void> {
    try {
      for (let chunk = await this.source.next(); chunk !== undefined; chunk = await this.source.next()) {
        // A destroyed stdin means ffmpeg has exited or we stopped it: its outcome tells the rest.
        if (this.stdin.destroyed) return;
        if (!this.stdin.write(float32ToF32le(chunk))) await drained(this.stdin);
      }
      if (!this.stopped) this.stdin.end();
    } catch (error) {
      this.failure = { error };
      this.stop();
      this.onInputFailure();
    }
  }

  /** Stops reading the input and closes stdin; idempotent. */
  stop(): void {
    this.stopped = true;
    this.source.stop();
    this.stdin.destroy();
  }
}

/** Resolves once `stream` takes writes again, or never will (closed or failed). */
function drained(stream: Writable): Promise<void> {
  if (stream.destroyed) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      stream.off("drain", done).off("close", done).off("error", done);
      resolve();
    };
    stream.on("drain", done).on("close", done).on("error", done);
  });
}

/**
 * Pulls the input's chunks one at a time. Stopping ends the pulling at once, even while the input is still
 * producing a chunk (a sentence being synthesized), and asks the input to finish with `return()`.
 */
class ChunkSource {
  private readonly iterator: AsyncIterator<Float32Array>;
  /** The input has ended or thrown, so it must not be asked to finish. */
  private finished = false;
  private stopped = false;
  /** Ends the pending next(). */
  private wake: () => void = () => undefined;

  constructor(input: AsyncIterable<Float32Array>) {
    this.iterator = input[Symbol.asyncIterator]();
  }

  /** The next chunk, or undefined once the input has ended or the source is stopped; rethrows the input's error. */
  async next(): Promise<Float32Array | undefined> {
    if (this.stopped || this.finished) return undefined;
    // A promise per call: racing every chunk against one long-lived promise would pile reactions onto it.
    const stopping = new Promise<undefined>((resolve) => (this.wake = () => resolve(undefined)));
    try {
      const result = await Promise.race([this.iterator.next(), stopping]);
      if (result === undefined) return undefined;
      if (result.done === true) {
        this.finished = true;
        return undefined;
      }
      return result.value;
    } catch (error) {
      this.finished = true;
      throw error;
    } finally {
      this.wake = () => undefined;
    }
  }

  /** Idempotent. */
  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    this.wake();
    if (this.finished) return;
    // Not awaited: an async generator handles return() only after the chunk it is producing. Its cleanup error
    // has no one to go to, since whoever stopped the stream has stopped listening.
    (async () => this.iterator.return?.())().catch(() => undefined);
  }
}
