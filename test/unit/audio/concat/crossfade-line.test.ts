import { expect } from "chai";
import { CrossfadeLine } from "../../../../src/audio/concat/crossfade-line.js";
import { crossfadeWeights } from "../../../../src/audio/concat/edge-fades.js";
import { joinWithCrossfade } from "../../../../src/audio/crossfade.js";
import { seededRandom } from "../../../../src/domain/seeded-random.js";
import { joinSamples, noise } from "../../../helpers/wav-builder.js";

interface Joined {
  samples: Float32Array;
  /** Most frames the line held back at any moment. */
  maxHeld: number;
}

/**
 * Streams `clips` through a line in chunks of random sizes; `overlaps[i]` is the crossfade between clip i and
 * clip i + 1.
 */
function stream(clips: Float32Array[], overlaps: number[], channels = 1, seed = 1): Joined {
  const parts: Float32Array[] = [];
  let pushed = 0;
  let emitted = 0;
  let maxHeld = 0;
  const line = new CrossfadeLine(channels, (frames) => {
    parts.push(frames.slice());
    emitted += frames.length / channels;
  });
  const random = seededRandom(seed);
  clips.forEach((clip, i) => {
    line.startClip({ crossfadeFrames: overlaps[i - 1] ?? 0, holdbackFrames: overlaps[i] ?? 0 });
    for (let at = 0; at < clip.length;) {
      const size = channels * (1 + Math.floor(random() * 300));
      line.push(clip.subarray(at, at + size));
      pushed += Math.min(size, clip.length - at) / channels;
      at += size;
      maxHeld = Math.max(maxHeld, pushed - emitted - sum(overlaps.slice(0, i)));
    }
  });
  line.finish();
  return { samples: joinSamples(...parts), maxHeld };
}

const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);

/** The whole-buffer reference: each crossfade mixes the end of the master so far with the next clip's head. */
function reference(clips: Float32Array[], overlaps: number[]): Float32Array {
  let master = clips[0]!;
  clips.slice(1).forEach((clip, i) => {
    const overlap = overlaps[i]!;
    const mixed = new Float32Array(overlap);
    for (let k = 0; k < overlap; k++) {
      const w = crossfadeWeights(k, overlap);
      mixed[k] = master[master.length - overlap + k]! * w.out + clip[k]! * w.in;
    }
    master = joinSamples(master.subarray(0, master.length - overlap), mixed, clip.subarray(overlap));
  });
  return master;
}

const clipOf = (frames: number, seed: number, channels = 1) =>
  noise({ seconds: 1, sampleRate: frames * channels, amplitude: 0.5, seed });

describe("audio/concat/crossfade-line", () => {
  it("passes clips through unchanged when nothing crossfades", () => {
    const clips = [clipOf(1000, 1), clipOf(500, 2), clipOf(700, 3)];
    const { samples } = stream(clips, [0, 0]);
    expect(Buffer.from(samples.buffer).equals(Buffer.from(joinSamples(...clips).buffer))).to.equal(true);
  });

  it("matches the whole-buffer equal-power join of src/audio/crossfade.ts, whatever the chunks", () => {
    const a = clipOf(3000, 4);
    const b = clipOf(2500, 5);
    const expected = joinWithCrossfade(
      [
        { sampleRate: 1, samples: a },
        { sampleRate: 1, samples: b },
      ],
      480,
    ).samples;
    for (const seed of [1, 2, 3]) {
      const { samples } = stream([a, b], [480], 1, seed);
      expect(samples.length).to.equal(3000 + 2500 - 480);
      expect(Buffer.from(samples.buffer).equals(Buffer.from(expected.buffer))).to.equal(true);
    }
  });

  it("shortens the total by exactly each crossfade, also when a short clip is inside two of them", () => {
    const clips = [clipOf(2000, 6), clipOf(300, 7), clipOf(2000, 8)];
    const overlaps = [250, 300]; // the middle clip is shorter than both crossfades together
    const { samples } = stream(clips, overlaps);
    expect(samples.length).to.equal(4300 - 550);
    const expected = reference(clips, overlaps);
    samples.forEach((x, i) => expect(x).to.be.closeTo(expected[i]!, 1e-6));
  });

  it("crossfades stereo frame by frame", () => {
    const a = clipOf(1200, 9, 2);
    const b = clipOf(900, 10, 2);
    const { samples } = stream([a, b], [200], 2);
    expect(samples.length).to.equal(2 * (1200 + 900 - 200));
    for (const channel of [0, 1]) {
      const pick = (x: Float32Array) => x.filter((_, i) => i % 2 === channel);
      const expected = reference([pick(a), pick(b)], [200]);
      pick(samples).forEach((x, i) => expect(x).to.be.closeTo(expected[i]!, 1e-6));
    }
  });

  it("holds back no more than the crossfade and one chunk", () => {
    const { maxHeld } = stream([clipOf(20000, 11), clipOf(20000, 12), clipOf(20000, 13)], [1000, 2000]);
    expect(maxHeld).to.be.at.most(2000 + 300);
  });

  it("refuses a crossfade longer than what it holds", () => {
    const line = new CrossfadeLine(1, () => undefined);
    line.startClip({ crossfadeFrames: 0, holdbackFrames: 10 });
    line.push(new Float32Array(50));
    expect(() => line.startClip({ crossfadeFrames: 11, holdbackFrames: 0 })).to.throw(RangeError);
  });
});
