/**
 * Measures a clip as it streams past, for levelling and trimming: its length, its energy (sum of squares),
 * and where its sound starts and ends.
 *
 * Sound is what is louder than −40 dBFS, judged over 10 ms windows (a window's RMS across all channels) so a
 * lone quiet sample does not count and a lone loud one in a silent stretch barely does. Within the first and
 * last loud windows the edge is the first (last) sample at or above −40 dBFS, so the edges are exact to the
 * sample for clean material. Unlike the TTS trim (trim.ts, librosa's frames relative to the clip's peak), the
 * threshold is absolute: a streaming pass cannot know the peak before it has seen the whole clip.
 */

/** −40 dBFS as an amplitude, and as a mean square for window RMS. */
const SOUND_AMPLITUDE = 0.01;
const SOUND_MEAN_SQUARE = SOUND_AMPLITUDE * SOUND_AMPLITUDE;
const WINDOW_SECONDS = 0.01;

/** What {@link ClipMeter} found. Sound edges are frame indices; both are undefined for a clip with no sound. */
export interface ClipLevels {
  frames: number;
  sumSquares: number;
  /** First frame of sound. */
  soundStart: number | undefined;
  /** One past the last frame of sound. */
  soundEnd: number | undefined;
}

export class ClipMeter {
  private readonly windowFrames: number;
  private frames = 0;
  private sumSquares = 0;
  private soundStart: number | undefined;
  private soundEnd: number | undefined;
  /** The window being filled: its energy, frame count and first/last frame at or above the threshold. */
  private windowSum = 0;
  private windowFilled = 0;
  private firstLoud = -1;
  private lastLoud = -1;

  constructor(
    private readonly channels: number,
    sampleRate: number,
  ) {
    this.windowFrames = Math.max(1, Math.round(sampleRate * WINDOW_SECONDS));
  }

  /** Takes the next interleaved frames. */
  push(chunk: Float32Array): void {
    const { channels } = this;
    for (let i = 0; i < chunk.length; i += channels) {
      let loud = false;
      for (let c = 0; c < channels; c++) {
        const x = chunk[i + c]!;
        this.windowSum += x * x;
        if (x >= SOUND_AMPLITUDE || x <= -SOUND_AMPLITUDE) loud = true;
      }
      if (loud) {
        if (this.firstLoud < 0) this.firstLoud = this.frames;
        this.lastLoud = this.frames;
      }
      this.frames += 1;
      this.windowFilled += 1;
      if (this.windowFilled === this.windowFrames) this.closeWindow();
    }
  }

  /** The measurements of everything pushed. */
  finish(): ClipLevels {
    if (this.windowFilled > 0) this.closeWindow();
    return { frames: this.frames, sumSquares: this.sumSquares, soundStart: this.soundStart, soundEnd: this.soundEnd };
  }

  private closeWindow(): void {
    if (this.windowSum / (this.windowFilled * this.channels) > SOUND_MEAN_SQUARE) {
      // A loud window always has a loud sample: its mean square cannot pass the threshold otherwise.
      this.soundStart ??= this.firstLoud;
      this.soundEnd = this.lastLoud + 1;
    }
    this.sumSquares += this.windowSum;
    this.windowSum = 0;
    this.windowFilled = 0;
    this.firstLoud = -1;
    this.lastLoud = -1;
  }
}

/** The frames `[start, end)` of a clip kept by trimming: its sound plus `padFrames` either side, within the clip. */
export function trimRange(levels: ClipLevels, padFrames: number): { start: number; end: number } {
  if (levels.soundStart === undefined || levels.soundEnd === undefined) return { start: 0, end: levels.frames };
  return {
    start: Math.max(0, levels.soundStart - padFrames),
    end: Math.min(levels.frames, levels.soundEnd + padFrames),
  };
}
