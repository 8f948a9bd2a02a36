/**
 * Concatenation (spec §3.17, §3.18) that streams: clips of any format, rate and channel count are decoded once,
 * measured, and streamed with silences, pauses and crossfades into one 32-bit float WAV master written as it
 * goes. Memory stays at a few chunks and the longest crossfade however many clips there are and however long
 * they run; besides the master, the disk holds decoded copies of the next clips only (a couple of small batches,
 * or one long clip at a time: clip-preparer.ts).
 */
import { copyFile, rm, stat } from "node:fs/promises";
import { join } from "node:path";
import { ClipPreparer } from "./clip-preparer.js";
import { clipWarnings } from "./concat-report.js";
import { FloatWavWriter } from "./float-wav-writer.js";
import { joinClips, type JoinResult } from "./join-clips.js";
import { normalizeMasterLoudness } from "./master-loudness.js";
import { msToFrames, planGaps } from "./plan-gaps.js";
import { inspectInput, type ClipToPrepare } from "./prepare-clip.js";
import { progressTicker } from "./progress-ticker.js";
import type { ConcatOptions, ConcatReport, OutputLayout } from "./types.js";

/**
 * Joins `options.items` into `options.masterPath` and reports what went in.
 * @throws RangeError for options no request should carry (no clip, negative lengths, a bad layout);
 *   BadRequestError `INVALID_AUDIO` naming the item when a clip cannot be decoded; AudioToolError when ffmpeg
 *   is missing or fails otherwise; the abort reason when `signal` aborts. On any failure nothing is left behind
 *   of what this call wrote.
 */
export async function concatenate(options: ConcatOptions): Promise<ConcatReport> {
  options.signal?.throwIfAborted();
  checkOptions(options);
  const layout = await outputLayout(options);
  const levelled = options.loudnessTargetLufs !== undefined;
  // With a loudness target the joined master is an intermediate; the normalised one goes to masterPath.
  const joinedPath = levelled ? join(options.scratchDir, "master-before-loudness.wav") : options.masterPath;
  const warnings: string[] = [];
  try {
    const joined = await joinInto(options, { path: joinedPath, layout, warnings });
    const report: ConcatReport = { layout, ...joined, warnings };
    if (levelled) await normalizeInto(report, joinedPath, options);
    return report;
  } catch (error) {
    await rm(options.masterPath, { force: true });
    throw error;
  } finally {
    if (levelled) await rm(joinedPath, { force: true });
  }
}

type Joined = JoinResult & { frames: number; durationSeconds: number };

interface JoinTarget {
  path: string;
  layout: OutputLayout;
  /** Collects the clips' warnings as they are joined. */
  warnings: string[];
}

async function joinInto(options: ConcatOptions, { path, layout, warnings }: JoinTarget): Promise<Joined> {
  const preparer = await clipPreparer(options, layout);
  const tick = progressTicker(preparer.size, options.onProgress);
  const gaps = planGaps(
    options.items.map((item) => item.kind),
    options,
  );
  const checks = {
    normalizeLevels: options.normalizeLevels,
    trim: options.trim !== undefined,
    finalPeaks: options.loudnessTargetLufs === undefined,
  };
  const writer = await FloatWavWriter.create(path, layout);
  try {
    const result = await joinClips({
      ...options,
      gaps,
      layout,
      clipAt: (index) => preparer.get(index),
      onJoined: async (joined) => {
        await preparer.release(joined.clip);
        warnings.push(...clipWarnings(joined, checks));
        tick();
      },
      writer,
    });
    await writer.close();
    return { ...result, frames: writer.frames, durationSeconds: writer.frames / layout.sampleRate };
  } catch (error) {
    await writer.abandon();
    await preparer.cancel();
    throw error;
  }
}

async function clipPreparer(options: ConcatOptions, layout: OutputLayout): Promise<ClipPreparer> {
  const clips: ClipToPrepare[] = [];
  options.items.forEach((item, index) => {
    if (item.kind === "clip") clips.push({ index, path: item.path, label: item.label, bytes: 0 });
  });
  // Sizes decide how many clips share one ffmpeg process.
  await Promise.all(clips.map(async (clip) => (clip.bytes = (await stat(clip.path)).size)));
  const { trim, signal } = options;
  return new ClipPreparer(clips, {
    layout,
    scratchDir: options.scratchDir,
    ...(trim !== undefined ? { trimPadFrames: msToFrames(trim.thresholdMs, layout.sampleRate) } : {}),
    ...(signal !== undefined ? { signal } : {}),
  });
}

async function normalizeInto(report: ConcatReport, joinedPath: string, options: ConcatOptions): Promise<void> {
  const loudness = await normalizeMasterLoudness({
    inputPath: joinedPath,
    outputPath: options.masterPath,
    layout: report.layout,
    frames: report.frames,
    targetLufs: options.loudnessTargetLufs!,
    ...(options.signal !== undefined ? { signal: options.signal } : {}),
  });
  if (loudness !== undefined) {
    report.loudness = loudness;
    return;
  }
  report.warnings.push("the master has no measurable loudness (silent or shorter than 0.4 s): it was not normalised");
  await copyFile(joinedPath, options.masterPath);
}

/**
 * The layout asked for, completed from the first clip (probed only when something is missing); more than two
 * channels become two.
 */
async function outputLayout({ layout, items }: ConcatOptions): Promise<OutputLayout> {
  if (layout?.sampleRate !== undefined && layout.channels !== undefined) return layout as OutputLayout;
  const format = await inspectInput(items.find((item) => item.kind === "clip")!);
  return {
    sampleRate: layout?.sampleRate ?? format.sampleRate,
    channels: layout?.channels ?? (format.channels === 1 ? 1 : 2),
  };
}

function checkOptions(options: ConcatOptions): void {
  const problems: string[] = [];
  if (!options.items.some((item) => item.kind === "clip")) problems.push("items hold no clip");
  for (const item of options.items) {
    if (item.kind === "silence" && !isLength(item.ms)) problems.push(`silence "${item.label}" has ${item.ms} ms`);
  }
  const lengths = {
    crossfadeMs: options.crossfadeMs,
    "pause.baseMs": options.pause?.baseMs ?? 0,
    "pause.variationMs": options.pause?.variationMs ?? 0,
    "trim.thresholdMs": options.trim?.thresholdMs ?? 0,
  };
  for (const [name, value] of Object.entries(lengths)) {
    if (!isLength(value)) problems.push(`${name} must be at least 0, got ${value}`);
  }
  const layout = options.layout;
  if (layout?.sampleRate !== undefined && (!Number.isInteger(layout.sampleRate) || layout.sampleRate <= 0)) {
    problems.push(`layout.sampleRate must be a positive integer, got ${layout.sampleRate}`);
  }
  if (problems.length > 0) throw new RangeError(`Bad concatenation options: ${problems.join("; ")}`);
}

function isLength(ms: number): boolean {
  return Number.isFinite(ms) && ms >= 0;
}
