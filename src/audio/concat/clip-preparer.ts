/**
 * Prepares clips a little ahead of the join, in small batches: while one clip is being joined, the next ones
 * decode (two batches at a time), so ffmpeg and the join overlap without decoded copies piling up in the scratch
 * folder. A batch is a few consecutive clips, as many as make a few megabytes of input, so short
 * clips share one ffmpeg process and a long one has a batch (and its disk space) to itself. Each decoded copy is
 * deleted as soon as its clip is joined, or when the whole run stops.
 */
import { rm } from "node:fs/promises";
import { TaskLimiter } from "../task-limiter.js";
import { prepareClips, type ClipToPrepare, type PrepareContext, type PreparedClip } from "./prepare-clip.js";

/** Batches preparing at once. */
const CONCURRENCY = 2;
/** A batch ends at this many clips or once its inputs pass this many bytes (it has at least one clip). */
const BATCH_CLIPS = 16;
const BATCH_BYTES = 8 << 20;
/** Clips kept started ahead of the one being joined: a batch's worth, so the next batch decodes meanwhile. */
const LOOKAHEAD = BATCH_CLIPS;

export class ClipPreparer {
  private readonly limiter = new TaskLimiter(CONCURRENCY);
  private readonly started = new Map<number, Promise<PreparedClip>>();
  /** Each clip's place in the order. */
  private readonly place = new Map<number, number>();
  private readonly stop = new AbortController();
  private readonly context: PrepareContext;

  /** @param clips in item order. */
  constructor(
    private readonly clips: readonly ClipToPrepare[],
    context: PrepareContext,
  ) {
    clips.forEach((clip, place) => this.place.set(clip.index, place));
    const signals = [this.stop.signal, ...(context.signal !== undefined ? [context.signal] : [])];
    this.context = { ...context, signal: AbortSignal.any(signals) };
  }

  /** How many clips there are. */
  get size(): number {
    return this.clips.length;
  }

  /** The prepared clip at item `index`; starts it, and the next few, if they have not started yet. */
  get(index: number): Promise<PreparedClip> {
    const place = this.place.get(index)!;
    for (let ahead = place; ahead <= place + LOOKAHEAD && ahead < this.clips.length; ahead++) this.start(ahead);
    return this.started.get(index)!;
  }

  /** Deletes a joined clip's decoded copy and forgets it. */
  async release(clip: PreparedClip): Promise<void> {
    this.started.delete(clip.index);
    if (clip.temporary) await rm(clip.source.path, { force: true });
  }

  /** Stops what is still preparing and deletes every decoded copy not yet released. */
  async cancel(): Promise<void> {
    this.stop.abort(new Error("concatenation stopped"));
    const pending = [...this.started.values()];
    this.started.clear();
    for (const outcome of await Promise.allSettled(pending)) {
      if (outcome.status === "fulfilled" && outcome.value.temporary) {
        await rm(outcome.value.source.path, { force: true });
      }
    }
  }

  /** Starts the batch that begins with the clip at `place` (in order), unless that clip has started. */
  private start(place: number): void {
    if (this.started.has(this.clips[place]!.index)) return;
    const batch = this.batchFrom(place);
    const results = this.limiter.run(() => {
      this.context.signal?.throwIfAborted();
      return prepareClips(batch, this.context);
    });
    batch.forEach((clip, k) => {
      const prepared = results.then((settled) => {
        const result = settled[k]!;
        if (result.status === "rejected") throw result.reason;
        return result.value;
      });
      // A clip prepared ahead may fail before the join asks for it; the join sees the failure when it does.
      prepared.catch(() => undefined);
      this.started.set(clip.index, prepared);
    });
  }

  private batchFrom(place: number): ClipToPrepare[] {
    const batch: ClipToPrepare[] = [];
    let bytes = 0;
    for (let next = place; next < this.clips.length && batch.length < BATCH_CLIPS; next++) {
      const clip = this.clips[next]!;
      if (this.started.has(clip.index) || (batch.length > 0 && bytes + clip.bytes > BATCH_BYTES)) break;
      batch.push(clip);
      bytes += clip.bytes;
    }
    return batch;
  }
}
