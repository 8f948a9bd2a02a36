/**
 * The not-yet-written end of the master, for crossfades that stream. While a clip streams in, its last frames
 * (as many as the crossfade into the next clip will take) are held back; the next clip's first frames are then
 * mixed into them with equal-power curves, and everything older than what must still be held is handed on.
 * Memory is the longest crossfade plus one chunk, whatever the clips' lengths.
 *
 * Crossfades apply one after another, as in the original (pydub's `append`): an overlap takes the last frames
 * of the master so far, so when a clip is shorter than its two crossfades together, the second one reaches
 * back into the first. Each crossfade shortens the master by exactly its own length.
 */
import { crossfadeWeights } from "./edge-fades.js";

/** How the next clip joins the line. */
export interface ClipJoin {
  /** The clip's first frames to mix into the held ones (0: it simply follows). At most what is held. */
  crossfadeFrames: number;
  /** Frames to keep unwritten at the end of this clip, for the crossfade into the next one. */
  holdbackFrames: number;
}

export class CrossfadeLine {
  private tail: Float32Array;
  private tailFrames = 0;
  private holdback = 0;
  /** The crossfade in progress: where in the tail it started, its length, and frames mixed so far. */
  private mixStart = 0;
  private mixLength = 0;
  private mixed = 0;

  /** @param emit receives finished frames, interleaved; it must copy them before returning. */
  constructor(
    private readonly channels: number,
    private readonly emit: (frames: Float32Array) => void,
  ) {
    this.tail = new Float32Array(0);
  }

  /**
   * Starts the next clip.
   * @throws RangeError when the crossfade is longer than what is held or a crossfade is still in progress.
   */
  startClip(join: ClipJoin): void {
    if (this.mixed < this.mixLength) throw new RangeError("the previous clip ended inside its crossfade");
    if (join.crossfadeFrames > this.tailFrames) {
      throw new RangeError(`cannot crossfade ${join.crossfadeFrames} frames: only ${this.tailFrames} are held`);
    }
    this.mixStart = this.tailFrames - join.crossfadeFrames;
    this.mixLength = join.crossfadeFrames;
    this.mixed = 0;
    this.holdback = join.holdbackFrames;
  }

  /** Takes the clip's next interleaved frames (gain and edge fades already applied). */
  push(chunk: Float32Array): void {
    const { channels } = this;
    if (this.tailFrames === 0 && this.holdback === 0) {
      this.emit(chunk); // nothing held and nothing to hold: the usual case between crossfades, without a copy
      return;
    }
    const chunkFrames = chunk.length / channels;
    let frame = 0;
    for (; frame < chunkFrames && this.mixed < this.mixLength; frame++, this.mixed++) {
      const weights = crossfadeWeights(this.mixed, this.mixLength);
      const at = (this.mixStart + this.mixed) * channels;
      for (let c = 0; c < channels; c++) {
        this.tail[at + c] = this.tail[at + c]! * weights.out + chunk[frame * channels + c]! * weights.in;
      }
    }
    this.appendToTail(chunk.subarray(frame * channels));
    this.emitReady();
  }

  /** Hands on everything still held (the end of the master). */
  finish(): void {
    this.holdback = 0;
    this.emitReady();
  }

  private appendToTail(frames: Float32Array): void {
    const needed = this.tailFrames * this.channels + frames.length;
    if (needed > this.tail.length) {
      const grown = new Float32Array(Math.max(needed, 2 * this.tail.length));
      grown.set(this.tail.subarray(0, this.tailFrames * this.channels));
      this.tail = grown;
    }
    this.tail.set(frames, this.tailFrames * this.channels);
    this.tailFrames += frames.length / this.channels;
  }

  /** Emits what no crossfade can touch any more: all but the held-back frames, and nothing not yet mixed. */
  private emitReady(): void {
    const mixing = this.mixed < this.mixLength;
    const ready = Math.min(this.tailFrames - this.holdback, mixing ? this.mixStart + this.mixed : this.tailFrames);
    if (ready <= 0) return;
    const { channels } = this;
    this.emit(this.tail.subarray(0, ready * channels));
    this.tail.copyWithin(0, ready * channels, this.tailFrames * channels);
    this.tailFrames -= ready;
    this.mixStart -= ready;
  }
}
