/**
 * Gets clips ready to join: each one's samples at the output rate in a file that streams, and one streaming pass
 * over them for its length, level and sound edges. A WAV at the output rate (the server's own outputs, usually)
 * is read as it is, with no ffmpeg at all; anything else is decoded once (decode-clips.ts).
 */
import { rm } from "node:fs/promises";
import { invalidAudio } from "../audio-errors.js";
import { NotAudioError, probeAudio } from "../probe.js";
import { ClipMeter, trimRange, type ClipLevels } from "./clip-meter.js";
import { decodeClips } from "./decode-clips.js";
import { readFrames, type FrameRange, type PcmSource } from "./pcm-source.js";
import type { OutputLayout } from "./types.js";
import { readWavSource } from "./wav-source.js";

export interface ClipToPrepare {
  index: number;
  path: string;
  label: string;
  /** The file's size, which bounds how many clips one ffmpeg process decodes at once. */
  bytes: number;
}

export interface PrepareContext {
  layout: OutputLayout;
  scratchDir: string;
  /** Trimming's pad in frames; undefined: no trimming. */
  trimPadFrames?: number;
  signal?: AbortSignal;
}

export interface PreparedClip extends ClipToPrepare {
  /** Mono or stereo at the output rate; read it with the layout's channel count. */
  source: PcmSource;
  /** The source is a decoded copy in the scratch folder, to delete once joined. */
  temporary: boolean;
  levels: ClipLevels;
  /** The frames `[start, end)` that go into the master, and their energy (at the layout's channels). */
  start: number;
  end: number;
  sumSquares: number;
}

/** A clip's own rate and channel count. */
export interface InputFormat {
  sampleRate: number;
  channels: number;
}

/**
 * The sample rate and channel count of a clip.
 * @throws BadRequestError `INVALID_AUDIO` naming the clip when it is not audio ffprobe can read.
 */
export async function inspectInput(clip: { path: string; label: string }): Promise<InputFormat> {
  const wav = await readWavSource(clip.path);
  if (wav !== undefined) return { sampleRate: wav.sampleRate, channels: wav.channels };
  try {
    const probed = await probeAudio(clip.path);
    return { sampleRate: probed.sampleRate, channels: probed.channels };
  } catch (error) {
    if (error instanceof NotAudioError) throw invalidAudio(`Could not decode "${clip.label}": ${error.reason}`);
    throw error;
  }
}

/**
 * Decodes (when needed) and measures clips, in order; each result is the prepared clip or why it could not be
 * prepared: BadRequestError `INVALID_AUDIO` naming the clip when it cannot be decoded or holds no samples,
 * AudioToolError when ffmpeg is missing or fails otherwise, or the abort reason.
 */
export async function prepareClips(
  clips: readonly ClipToPrepare[],
  context: PrepareContext,
): Promise<Array<PromiseSettledResult<PreparedClip>>> {
  const wavs = await Promise.allSettled(clips.map((clip) => streamableWav(clip.path, context.layout)));
  const toDecode = clips.filter((_, k) => wavs[k]!.status === "fulfilled" && wavs[k]!.value === undefined);
  const decoded = await decodeClips(toDecode, context);
  const results: Array<PromiseSettledResult<PreparedClip>> = [];
  for (const [k, clip] of clips.entries()) {
    const wav = wavs[k]!;
    const found = wav.status === "rejected" || wav.value !== undefined ? wav : decoded[toDecode.indexOf(clip)]!;
    const temporary = wav.status === "fulfilled" && wav.value === undefined;
    results.push(await settle(finish(clip, { found, temporary }, context)));
  }
  return results;
}

/** A WAV the reader can stream at the output layout, or undefined when ffmpeg has to decode the file. */
async function streamableWav(path: string, layout: OutputLayout): Promise<PcmSource | undefined> {
  const wav = await readWavSource(path);
  return wav !== undefined && wav.sampleRate === layout.sampleRate && wav.channels <= 2 ? wav : undefined;
}

interface FoundSource {
  found: PromiseSettledResult<PcmSource | undefined>;
  /** The source is a decoded copy, deleted here if the clip fails. */
  temporary: boolean;
}

async function finish(clip: ClipToPrepare, { found, temporary }: FoundSource, context: PrepareContext) {
  if (found.status === "rejected") throw found.reason;
  const source = found.value!;
  try {
    context.signal?.throwIfAborted();
    if (source.frames === 0) throw invalidAudio(`Could not decode "${clip.label}": it holds no audio samples`);
    return { ...clip, source, temporary, ...(await measure(source, context)) };
  } catch (error) {
    if (temporary) await rm(source.path, { force: true });
    throw error;
  }
}

async function settle<T>(promise: Promise<T>): Promise<PromiseSettledResult<T>> {
  try {
    return { status: "fulfilled", value: await promise };
  } catch (reason) {
    return { status: "rejected", reason };
  }
}

async function measure(source: PcmSource, context: PrepareContext) {
  const { channels, sampleRate } = context.layout;
  const range = (from: number, to: number): FrameRange => ({ from, to, channels, signal: context.signal });
  const meter = new ClipMeter(channels, sampleRate);
  await readFrames(source, range(0, source.frames), (chunk) => meter.push(chunk));
  const levels = meter.finish();
  const pad = context.trimPadFrames;
  const { start, end } = pad === undefined ? { start: 0, end: levels.frames } : trimRange(levels, pad);
  let { sumSquares } = levels;
  // The level is that of the part kept; reading back only the trimmed-off silence is cheaper than the rest.
  if (start > 0) sumSquares -= await sumOfSquares(source, range(0, start));
  if (end < levels.frames) sumSquares -= await sumOfSquares(source, range(end, levels.frames));
  return { levels, start, end, sumSquares: Math.max(0, sumSquares) };
}

async function sumOfSquares(source: PcmSource, range: FrameRange): Promise<number> {
  let sum = 0;
  await readFrames(source, range, (chunk) => {
    for (const x of chunk) sum += x * x;
  });
  return sum;
}
