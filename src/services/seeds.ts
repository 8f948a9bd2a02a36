/**
 * Seeds for reproducible synthesis. One base seed per request (reported to the client) and a derived seed per
 * segment, candidate and attempt, so re-running a request with the reported seed reproduces every segment
 * (every candidate and retry of verified TTS included), and a retry of one segment does not replay the exact
 * sampling that just failed.
 */
import { MAX_SEED } from "../domain/tts-fields.js";

/** A source of uniform numbers in [0, 1), like `Math.random`. */
export type RandomSource = () => number;

/**
 * The seed a request runs with: `requested` itself, or a random seed in 1..2^32−1 when it is 0 (the API's
 * "random"), as the Python server's `set_seed` did.
 * @throws RangeError when `requested` is not an integer in 0..2^32−1 (the HTTP layer validates first).
 */
export function resolveSeed(requested: number, random: RandomSource = Math.random): number {
  if (!Number.isInteger(requested) || requested < 0 || requested > MAX_SEED) {
    throw new RangeError(`seed must be an integer in 0..${MAX_SEED}, got ${requested}`);
  }
  if (requested !== 0) return requested;
  const r = random();
  if (!(r >= 0 && r < 1)) throw new RangeError(`random source returned ${r}, expected [0, 1)`);
  return 1 + Math.floor(r * MAX_SEED);
}

/** Which seed {@link deriveSegmentSeed} computes. */
export interface SegmentSeedInput {
  /** The request's resolved seed. */
  base: number;
  /** Zero-based segment index. */
  chunkIndex: number;
  /** Zero-based candidate of that segment (verified TTS tries several; otherwise always 0). */
  candidate: number;
  /** Zero-based attempt of that candidate (a retry after a failure). */
  attempt: number;
}

const MASK64 = (1n << 64n) - 1n;

/** SplitMix64's output function: a bijection on 64-bit values whose every output bit depends on every input bit. */
function mix64(z: bigint): bigint {
  let x = (z + 0x9e3779b97f4a7c15n) & MASK64;
  x = ((x ^ (x >> 30n)) * 0xbf58476d1ce4e5b9n) & MASK64;
  x = ((x ^ (x >> 27n)) * 0x94d049bb133111ebn) & MASK64;
  return x ^ (x >> 31n);
}

/**
 * A deterministic, well-mixed seed in 1..2^32−1 for one try of a segment. Neighbouring inputs (chunk 3 vs 4,
 * candidate 0 vs 1, attempt 0 vs 1, base 41 vs 42) give unrelated seeds, so tries never share a random stream.
 *
 * Candidate 0 is not folded in at all: its seeds are exactly those of the versions before candidates existed,
 * so output with one candidate per chunk (unverified, or Whisper bypassed) stays identical for a given seed,
 * and a verified request whose first tries pass sounds like the same request unverified.
 * @throws RangeError when an input is not a non-negative safe integer or `base` exceeds 2^32−1.
 */
export function deriveSegmentSeed(input: SegmentSeedInput): number {
  const { base, chunkIndex, candidate, attempt } = input;
  for (const [name, value] of Object.entries({ base, chunkIndex, candidate, attempt })) {
    if (!Number.isSafeInteger(value) || value < 0) {
      throw new RangeError(`${name} must be a non-negative integer, got ${value}`);
    }
  }
  if (base > MAX_SEED) throw new RangeError(`base must be at most ${MAX_SEED}, got ${base}`);
  // Chained absorption: each field is folded into the state and re-mixed, so no field can cancel another.
  let state = mix64(BigInt(base));
  state = mix64(state ^ BigInt(chunkIndex));
  state = mix64(state ^ BigInt(attempt));
  if (candidate > 0) state = mix64(state ^ BigInt(candidate));
  const folded = Number((state ^ (state >> 32n)) & 0xffff_ffffn);
  // 0 means "random" to the API, so it must never come out; remapping one value in 2^32 keeps the spread.
  return folded === 0 ? 1 : folded;
}
