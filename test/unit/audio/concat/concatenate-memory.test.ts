import { expect } from "chai";
import { execa } from "execa";
import { join } from "node:path";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { concatenate } from "../../../../src/audio/concat/concatenate.js";
import type { ConcatItem, ConcatReport } from "../../../../src/audio/concat/types.js";
import { tempFolder, voiceLike, writeClip } from "./concat-fixtures.js";

const RATE = 24000;

// A full collection on demand, so what is measured is what the join holds, not garbage awaiting the collector
// (young-generation garbage alone can swing the heap by tens of megabytes).
setFlagsFromString("--expose-gc");
const collectGarbage = runInNewContext("gc") as () => void;

function held(): number {
  collectGarbage();
  const { heapUsed, arrayBuffers } = process.memoryUsage();
  return heapUsed + arrayBuffers;
}

/**
 * Runs the join while sampling what the process holds (JS heap and buffers) above where it started. Each
 * sample is a full collection, whose cost grows with the heap of the whole test run: the next sample waits at
 * least four times as long as the last one took, so sampling never takes more than a fifth of the time and
 * cannot starve the join it measures.
 */
async function peakHeld(join: () => Promise<ConcatReport>): Promise<{ report: ConcatReport; peak: number }> {
  const baseline = held();
  let peak = 0;
  let timer: NodeJS.Timeout | undefined;
  const sample = () => {
    const started = performance.now();
    peak = Math.max(peak, held() - baseline);
    return performance.now() - started;
  };
  const schedule = (lastMs: number) => {
    timer = setTimeout(() => schedule(sample()), Math.max(50, 4 * lastMs));
  };
  schedule(0);
  try {
    const report = await join();
    sample();
    return { report, peak };
  } finally {
    clearTimeout(timer);
  }
}

describe("audio/concat/concatenate: memory", () => {
  let dir: string;
  let dispose: () => Promise<void>;

  before(async () => {
    ({ dir, dispose } = await tempFolder("concat-memory-"));
  });
  after(() => dispose());

  it("holds a small fraction of the audio on a 200-clip join", async () => {
    const clips: ConcatItem[] = await Promise.all(
      [0, 1, 2, 3].map(async (i) => {
        const samples = voiceLike({ seconds: 3, sampleRate: RATE, f0: 120 + 30 * i, seed: i });
        return { kind: "clip" as const, path: await writeClip(dir, `w${i}.wav`, samples, RATE), label: `w${i}.wav` };
      }),
    );
    const items = Array.from({ length: 200 }, (_, i) => clips[i % 4]!);
    const masterPath = join(dir, "many.wav");
    const base = { items, normalizeLevels: true, crossfadeMs: 50, scratchDir: dir, masterPath };
    const { report, peak } = await peakHeld(() => concatenate(base));
    const audioBytes = report.frames * 4; // 200 × 3 s, less the crossfades: about 57 MB of float samples
    expect(audioBytes).to.be.above(50e6);
    expect(peak).to.be.below(audioBytes / 8);
  });

  it("holds a small fraction of one input when joining two 10-minute clips (one decoded by ffmpeg)", async () => {
    const generate = async (name: string, rate: number) => {
      const path = join(dir, name);
      const source = (filter: string) => ["-f", "lavfi", "-i", `${filter}:sample_rate=${rate}:duration=600`];
      await execa("ffmpeg", [
        ...["-v", "error", ...source("sine=frequency=200"), ...source("anoisesrc=amplitude=0.02")],
        ...["-filter_complex", "[0][1]amix=inputs=2:normalize=0", "-ac", "1", "-c:a", "pcm_s16le", path],
      ]);
      return { kind: "clip" as const, path, label: name };
    };
    const items = [await generate("long24k.wav", RATE), await generate("long16k.wav", 16000)];
    const masterPath = join(dir, "long.wav");
    const base = { items, normalizeLevels: true, crossfadeMs: 500, trim: { thresholdMs: 200 } };
    const { report, peak } = await peakHeld(() => concatenate({ ...base, scratchDir: dir, masterPath }));
    const inputBytes = 600 * RATE * 4; // one input as float samples: 57.6 MB
    expect(report.durationSeconds).to.be.closeTo(1199.5, 0.01);
    expect(peak).to.be.below(inputBytes / 8);
  });
});
