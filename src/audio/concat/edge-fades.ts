/**
 * Gain and edge fades for one clip, applied chunk by chunk as the clip streams past.
 *
 * A clip cut mid-waveform that meets silence, a pause, another clip butt-to-butt, or either end of the master
 * jumps from its last value to the next one: a click. A short raised-cosine fade (5 ms) at such an edge takes
 * the waveform to zero smoothly. Its slope stays below a sine's own for anything above 50 Hz (a raised cosine of
 * length F changes by at most π/(2F) per frame, a sine at f by 2πf/rate), so the fade never makes a bigger step
 * than the signal already does; speech sits well above that. Crossfaded edges need no fade of their own: the
 * equal-power curves already start and end at the signals' own values.
 */

/** How one clip is shaped on its way into the master. */
export interface ClipShape {
  channels: number;
  /** The clip's length in the master (after trimming). */
  frames: number;
  /** Linear gain (1 = unchanged). */
  gain: number;
  /** Frames of fade-in at the head; 0 when the head is crossfaded. */
  fadeInFrames: number;
  /** Frames of fade-out at the tail; 0 when the tail is crossfaded. */
  fadeOutFrames: number;
}

const EDGE_FADE_SECONDS = 0.005;

/** The edge fade length for a clip: 5 ms, but never more than half the clip. */
export function edgeFadeFrames(sampleRate: number, clipFrames: number): number {
  return Math.min(Math.round(EDGE_FADE_SECONDS * sampleRate), Math.floor(clipFrames / 2));
}

/** Raised-cosine fade-in weight of frame `k` of a fade `length` long: rises from ~0 to ~1. */
export function fadeInWeight(k: number, length: number): number {
  return 0.5 - 0.5 * Math.cos((Math.PI * (k + 0.5)) / length);
}

/**
 * Equal-power crossfade weights of frame `k` of an overlap `length` long: the outgoing clip's (cos) and the
 * incoming clip's (sin). Their squares sum to 1, so uncorrelated material keeps its loudness through the fade.
 */
export function crossfadeWeights(k: number, length: number): { out: number; in: number } {
  const angle = ((k + 0.5) / length) * (Math.PI / 2);
  return { out: Math.cos(angle), in: Math.sin(angle) };
}

/**
 * Multiplies `chunk` (interleaved frames, starting at frame `offset` of the clip) by the clip's gain and its
 * edge fades, in place.
 * @returns the largest absolute sample after the gain, before the fades (the clip's own peak level).
 */
export function shapeChunk(chunk: Float32Array, offset: number, shape: ClipShape): number {
  const { channels, gain } = shape;
  let peak = 0;
  for (let i = 0; i < chunk.length; i++) {
    const x = chunk[i]! * gain;
    chunk[i] = x;
    const magnitude = Math.abs(x);
    if (magnitude > peak) peak = magnitude;
  }
  const { frames, fadeInFrames, fadeOutFrames } = shape;
  applyFade(chunk, {
    channels,
    from: 0,
    to: fadeInFrames - offset,
    weight: (f) => fadeInWeight(f + offset, fadeInFrames),
  });
  applyFade(chunk, {
    channels,
    from: frames - fadeOutFrames - offset,
    to: chunk.length / channels,
    weight: (f) => fadeInWeight(frames - 1 - (f + offset), fadeOutFrames),
  });
  return peak;
}

interface FadeSpan {
  channels: number;
  /** First and one-past-last frame of the chunk to weigh (clamped to the chunk). */
  from: number;
  to: number;
  weight: (chunkFrame: number) => number;
}

function applyFade(chunk: Float32Array, span: FadeSpan): void {
  const end = Math.min(span.to, chunk.length / span.channels);
  for (let f = Math.max(0, span.from); f < end; f++) {
    const w = span.weight(f);
    for (let c = 0; c < span.channels; c++) chunk[f * span.channels + c]! *= w;
  }
}
