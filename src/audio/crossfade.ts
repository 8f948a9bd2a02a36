/**
 * Long audio in overlapping chunks and back (voice conversion of long sources, spec §3.2): chunks of a fixed
 * length that overlap their neighbour, and a join that crossfades each overlap with equal-power curves
 * (cos/sin), so the loudness does not dip in the middle of the fade as a linear crossfade makes it do.
 */
import type { MonoPcm } from "../domain/audio.js";

/** A chunk `[start, end)` of the source, in samples. */
export interface ChunkSpan {
  start: number;
  end: number;
}

/**
 * Chunks of `chunkSamples` covering `totalSamples`, each starting `chunkSamples - overlapSamples` after the
 * previous one; the last one ends at the total. A source no longer than one chunk is one chunk.
 * @throws RangeError when the overlap is not shorter than the chunk
 */
export function planChunks(totalSamples: number, chunkSamples: number, overlapSamples: number): ChunkSpan[] {
  if (overlapSamples < 0 || overlapSamples >= chunkSamples) {
    throw new RangeError(`overlap (${overlapSamples}) must be at least 0 and shorter than the chunk (${chunkSamples})`);
  }
  if (totalSamples <= chunkSamples) return [{ start: 0, end: totalSamples }];
  const step = chunkSamples - overlapSamples;
  const spans: ChunkSpan[] = [];
  for (let start = 0; ; start += step) {
    const end = Math.min(start + chunkSamples, totalSamples);
    spans.push({ start, end });
    if (end === totalSamples) return spans;
  }
}

/**
 * Joins converted chunks that overlap by `overlapSamples`: over each overlap the earlier chunk fades out
 * (cos) while the later fades in (sin). The overlap is cut to what both neighbours have, so chunks whose
 * conversion changed their length by a few samples still join.
 * @throws RangeError for no chunks or mixed sample rates
 */
export function joinWithCrossfade(chunks: readonly MonoPcm[], overlapSamples: number): MonoPcm {
  const first = chunks[0];
  if (!first) throw new RangeError("joinWithCrossfade needs at least one chunk");
  if (chunks.some((chunk) => chunk.sampleRate !== first.sampleRate)) {
    throw new RangeError("Cannot join chunks of different sample rates");
  }
  const parts: Float32Array[] = [first.samples];
  for (let i = 1; i < chunks.length; i += 1) {
    const previous = parts.pop() as Float32Array;
    const next = (chunks[i] as MonoPcm).samples;
    parts.push(...crossfadePair(previous, next, Math.min(overlapSamples, previous.length, next.length)));
  }
  return { sampleRate: first.sampleRate, samples: concat(parts) };
}

/** `a` without its tail, the blended overlap, and `b` without its head (the last piece stays open for the next). */
function crossfadePair(a: Float32Array, b: Float32Array, overlap: number): Float32Array[] {
  const blended = new Float32Array(overlap);
  for (let i = 0; i < overlap; i += 1) {
    const angle = ((i + 0.5) / overlap) * (Math.PI / 2);
    blended[i] = (a[a.length - overlap + i] as number) * Math.cos(angle) + (b[i] as number) * Math.sin(angle);
  }
  return [a.subarray(0, a.length - overlap), blended, b.subarray(overlap)];
}

function concat(parts: Float32Array[]): Float32Array {
  const out = new Float32Array(parts.reduce((sum, part) => sum + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}
