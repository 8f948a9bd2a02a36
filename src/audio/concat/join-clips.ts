/**
 * Streams prepared clips, manual silences and pauses into the master, in order: each clip's kept frames with
 * its gain and edge fades, crossfades mixed as they pass (crossfade-line.ts). Only one chunk per clip and the
 * longest crossfade are in memory at any time. Lengths are exact: a silence or pause of N ms is
 * round(N × rate / 1000) frames, and each crossfade removes exactly its own length.
 */
import { clipReport, levellingGainDb, roundMs, type JoinedClip } from "./concat-report.js";
import { CrossfadeLine } from "./crossfade-line.js";
import { edgeFadeFrames, shapeChunk, type ClipShape } from "./edge-fades.js";
import type { FloatWavWriter } from "./float-wav-writer.js";
import { readFrames } from "./pcm-source.js";
import { framesToMs, msToFrames, type PlannedGap } from "./plan-gaps.js";
import type { PreparedClip } from "./prepare-clip.js";
import type { ClipReport, ConcatItem, GapReport, OutputLayout, SilenceReport } from "./types.js";

export interface JoinInput {
  items: readonly ConcatItem[];
  gaps: readonly PlannedGap[];
  layout: OutputLayout;
  normalizeLevels: boolean;
  /** The prepared clip at item `index`: asked in order, and once ahead for the clip after a crossfade. */
  clipAt: (index: number) => Promise<PreparedClip>;
  /** Told when a clip is wholly in the master, so its decoded copy can go. */
  onJoined: (clip: JoinedClip) => Promise<void>;
  writer: FloatWavWriter;
  signal?: AbortSignal;
}

export interface JoinResult {
  items: Array<ClipReport | SilenceReport>;
  gaps: GapReport[];
}

/** Writes every item into `input.writer` (which the caller closes) and reports what went in. */
export async function joinClips(input: JoinInput): Promise<JoinResult> {
  const joiner = new Joiner(input);
  for (const [index, item] of input.items.entries()) {
    input.signal?.throwIfAborted();
    if (item.kind === "silence") await joiner.silence(item);
    else await joiner.clip(index);
  }
  joiner.finish();
  return joiner.result;
}

class Joiner {
  readonly result: JoinResult = { items: [], gaps: [] };
  private readonly line: CrossfadeLine;
  private readonly gapBefore = new Map<number, PlannedGap>();
  private readonly gapAfter = new Map<number, PlannedGap>();
  /** Frames by which the clip being started overlaps the previous one. */
  private overlap = 0;

  constructor(private readonly input: JoinInput) {
    this.line = new CrossfadeLine(input.layout.channels, (frames) => input.writer.append(frames));
    for (const gap of input.gaps) {
      this.gapBefore.set(gap.before, gap);
      this.gapAfter.set(gap.after, gap);
    }
  }

  async silence(item: Extract<ConcatItem, { kind: "silence" }>): Promise<void> {
    const frames = msToFrames(item.ms, this.input.layout.sampleRate);
    await this.input.writer.appendSilence(frames);
    this.result.items.push({ kind: "silence", label: item.label, ms: item.ms, frames });
  }

  async clip(index: number): Promise<void> {
    const { input } = this;
    const clip = await input.clipAt(index);
    const gap = this.gapBefore.get(index);
    if (gap !== undefined) await this.writeGap(gap);
    const overlapNext = await this.overlapAfter(index, clip);
    const frames = clip.end - clip.start;
    const edge = edgeFadeFrames(input.layout.sampleRate, frames);
    const gainDb = levellingGainDb(clip, input.normalizeLevels);
    const shape: ClipShape = {
      channels: input.layout.channels,
      frames,
      gain: 10 ** (gainDb / 20),
      fadeInFrames: this.overlap > 0 ? 0 : edge,
      fadeOutFrames: overlapNext > 0 ? 0 : edge,
    };
    this.line.startClip({ crossfadeFrames: this.overlap, holdbackFrames: overlapNext });
    const peak = await this.stream(clip, shape);
    this.overlap = overlapNext;
    const joined = { clip, gainDb, peak };
    this.result.items.push(clipReport(joined, input.layout));
    await input.onJoined(joined);
  }

  finish(): void {
    this.line.finish();
  }

  private async stream(clip: PreparedClip, shape: ClipShape): Promise<number> {
    const { writer, signal } = this.input;
    const range = { from: clip.start, to: clip.end, channels: shape.channels, signal };
    let offset = 0;
    let peak = 0;
    await readFrames(clip.source, range, async (chunk) => {
      peak = Math.max(peak, shapeChunk(chunk, offset, shape));
      offset += chunk.length / shape.channels;
      this.line.push(chunk);
      await writer.drain();
    });
    return peak;
  }

  /** The crossfade into the next clip: min(crossfade, this clip, next clip), in frames; 0 for any other gap. */
  private async overlapAfter(index: number, clip: PreparedClip): Promise<number> {
    const gap = this.gapAfter.get(index);
    if (gap?.kind !== "crossfade") return 0;
    const next = await this.input.clipAt(gap.before);
    const wanted = msToFrames(gap.ms, this.input.layout.sampleRate);
    return Math.min(wanted, clip.end - clip.start, next.end - next.start);
  }

  /** Writes a pause (silences are items of their own) and reports the gap. */
  private async writeGap(gap: PlannedGap): Promise<void> {
    const rate = this.input.layout.sampleRate;
    const report = { after: gap.after };
    if (gap.kind === "pause") {
      const frames = msToFrames(gap.ms, rate);
      await this.input.writer.appendSilence(frames);
      const { ms, baseMs, variationMs } = gap;
      this.result.gaps.push({ ...report, kind: "pause", ms, frames, baseMs, variationMs });
    } else if (gap.kind === "silence") {
      // Each item has its report at its own index, so the silences between the two clips are these.
      const silences = this.result.items.slice(gap.after + 1, gap.before) as SilenceReport[];
      const ms = silences.reduce((sum, s) => sum + s.ms, 0);
      const frames = silences.reduce((sum, s) => sum + s.frames, 0);
      this.result.gaps.push({ ...report, kind: "silence", ms, frames });
    } else if (gap.kind === "crossfade" && this.overlap > 0) {
      const ms = roundMs(framesToMs(this.overlap, rate));
      this.result.gaps.push({ ...report, kind: "crossfade", ms, frames: this.overlap });
    } else {
      this.result.gaps.push({ ...report, kind: "butt", ms: 0, frames: 0 });
    }
  }
}
