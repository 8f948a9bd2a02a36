import { expect } from "chai";
import type { ClipReport, ConcatItem, ConcatOptions, ConcatReport } from "../../../../src/audio/concat/types.js";
import { joinSamples, silence } from "../../../helpers/wav-builder.js";
import {
  isSilent,
  largestStep,
  rmsDbfsOf,
  tempFolder,
  voiceLike,
  writeClip,
  type DecodedMaster,
  joinAndRead,
} from "./concat-fixtures.js";

const RATE = 24000;

/** Where each clip sits in the master: [start, end) frames, from the report. */
function clipSpans(report: ConcatReport): Array<[number, number]> {
  const spans: Array<[number, number]> = [];
  let at = 0;
  report.items.forEach((item, index) => {
    const gap = report.gaps.find((g) => g.after === index);
    if (item.kind === "silence") {
      at += item.frames;
      return;
    }
    spans.push([at, at + item.frames]);
    at += item.frames + (gap?.kind === "pause" ? gap.frames : 0) - (gap?.kind === "crossfade" ? gap.frames : 0);
  });
  return spans;
}

/** The joins of a master: where one clip ends (and where the next begins, when something lies between). */
function joinPoints(report: ConcatReport): number[] {
  const spans = clipSpans(report);
  return spans.slice(1).flatMap(([start], i) => [spans[i]![1], start]);
}

describe("audio/concat/concatenate: joins, levels, trimming and formats", () => {
  let dir: string;
  let dispose: () => Promise<void>;
  const voices = [
    voiceLike({ seconds: 1.01, sampleRate: RATE, f0: 110, amplitude: 0.3, seed: 1 }),
    voiceLike({ seconds: 0.77, sampleRate: RATE, f0: 220, amplitude: 0.05, seed: 2 }),
    voiceLike({ seconds: 0.93, sampleRate: RATE, f0: 160, amplitude: 0.6, seed: 3 }),
  ];
  let clips: ConcatItem[];

  before(async () => {
    ({ dir, dispose } = await tempFolder("concat-quality-"));
    clips = await Promise.all(
      voices.map(async (samples, i) => ({
        kind: "clip" as const,
        path: await writeClip(dir, `v${i}.wav`, samples, RATE),
        label: `v${i}.wav`,
      })),
    );
  });
  after(() => dispose());

  const join_ = (items: ConcatItem[], options: Partial<ConcatOptions> = {}) => joinAndRead(dir, items, options);

  /** The largest step between neighbouring samples inside the clips themselves. */
  const ownLargestStep = (gains: number[] = [1, 1, 1]) =>
    Math.max(
      ...voices.map(
        (v, i) => largestStep({ samples: v, channels: 1, frames: v.length } as DecodedMaster, 1, v.length) * gains[i]!,
      ),
    );

  function expectNoClicks(master: DecodedMaster, report: ConcatReport, allowed: number): void {
    for (const at of joinPoints(report)) {
      expect(largestStep(master, at - 480, at + 480), `around frame ${at}`).to.be.at.most(allowed);
    }
  }

  it("makes no step at a butt join, a silence, the ends, or a pause that the clips do not make themselves", async () => {
    // Without edge fades these joins would jump: the clips end and start away from zero.
    const rawJump = Math.abs(voices[0]!.at(-1)! - voices[1]![0]!);
    expect(rawJump).to.be.above(ownLargestStep());

    const butt = await join_([clips[0]!, clips[1]!, { kind: "silence", ms: 300, label: "(300ms)" }, clips[2]!]);
    expectNoClicks(butt.master, butt.report, ownLargestStep());
    expect(largestStep(butt.master, 0, 240)).to.be.at.most(ownLargestStep());
    expect(largestStep(butt.master, butt.master.frames - 240, butt.master.frames)).to.be.at.most(ownLargestStep());
    expect(Math.abs(butt.master.samples[0]!)).to.be.below(1e-3);

    const paused = await join_(clips, { pause: { baseMs: 200, variationMs: 50, seed: 2 } });
    expectNoClicks(paused.master, paused.report, ownLargestStep());
  });

  it("makes no step at a crossfade beyond what equal power allows (√2 × the clips' own)", async () => {
    const { master, report } = await join_(clips, { crossfadeMs: 60 });
    expect(report.gaps.map((g) => g.kind)).to.deep.equal(["crossfade", "crossfade"]);
    expectNoClicks(master, report, Math.SQRT2 * ownLargestStep());
  });

  it("levels every clip to -20 dBFS RMS and reports the gain applied", async () => {
    const { master, report } = await join_(
      [clips[0]!, { kind: "silence", ms: 100, label: "(100ms)" }, clips[1]!, clips[2]!],
      { normalizeLevels: true, pause: { baseMs: 100, variationMs: 0, seed: 1 } },
    );
    const reports = report.items.filter((item): item is ClipReport => item.kind === "clip");
    clipSpans(report).forEach(([start, end], i) => {
      expect(rmsDbfsOf(master, start, end)).to.be.closeTo(-20, 0.2);
      const r = reports[i]!;
      expect(r.gainDb).to.be.closeTo(-20 - r.rmsDbfs!, 0.01);
      expect(r.rmsDbfs).to.be.closeTo(
        rmsDbfsOf({ samples: voices[i]!, channels: 1 } as DecodedMaster, 0, voices[i]!.length),
        0.01,
      );
    });
    expect(reports[1]!.gainDb).to.be.above(5); // the quiet clip was raised
    expect(reports[2]!.gainDb).to.be.below(-5); // the loud one lowered
    expect(report.warnings).to.deep.equal([]);
  });

  it("warns when levelling pushes a clip's peaks over 0 dBFS, and keeps them in the float master", async () => {
    const spiky = silence(1, RATE).map((_, i) => (i % 2400 === 0 ? 0.9 : 0.004 * Math.sin(i / 3)));
    const path = await writeClip(dir, "spiky.wav", spiky, RATE);
    const { master, report } = await join_([{ kind: "clip", path, label: "spiky.wav" }], { normalizeLevels: true });
    const clip = report.items[0] as ClipReport;
    expect(clip.peakDbfs).to.be.above(0);
    expect(master.samples.some((x) => x > 1)).to.equal(true);
    expect(report.warnings.join("\n")).to.match(/"spiky\.wav" peaks at \+[\d.]+ dBFS/);
  });

  it("leaves digital silence at its level and untrimmed, and says so", async () => {
    const path = await writeClip(dir, "silent.wav", silence(0.5, RATE), RATE);
    const items: ConcatItem[] = [clips[0]!, { kind: "clip", path, label: "silent.wav" }];
    const { report } = await join_(items, { normalizeLevels: true, trim: { thresholdMs: 100 } });
    expect(report.items[1]).to.include({ rmsDbfs: null, gainDb: 0, peakDbfs: null, frames: 12000 });
    expect(report.warnings).to.deep.equal([
      '"silent.wav" is digital silence: its level was left as it is',
      '"silent.wav" has nothing louder than -40 dBFS: it was not trimmed',
    ]);
  });

  it("trims leading and trailing silence down to the pad, and leaves shorter silences alone", async () => {
    const padded = joinSamples(silence(1, RATE), voices[0]!, silence(0.7, RATE));
    const path = await writeClip(dir, "padded.wav", padded, RATE);
    const short = await writeClip(dir, "short.wav", joinSamples(silence(0.1, RATE), voices[2]!), RATE);
    const { master, report } = await join_(
      [
        { kind: "clip", path, label: "padded.wav" },
        { kind: "clip", path: short, label: "short.wav" },
      ],
      { trim: { thresholdMs: 200 } },
    );
    const [first, second] = report.items as ClipReport[];
    // The tone starts at zero: its first sample at -40 dBFS or above comes a sample or so in; likewise at the end.
    expect(first!.leadingTrimmedMs).to.be.within(800, 801);
    expect(first!.trailingTrimmedMs).to.be.within(500, 501);
    const trimmedFrames = Math.round((first!.leadingTrimmedMs + first!.trailingTrimmedMs) * (RATE / 1000));
    expect(first!.frames).to.equal(padded.length - trimmedFrames);
    expect(second).to.include({ leadingTrimmedMs: 0, trailingTrimmedMs: 0, frames: 2400 + voices[2]!.length });
    // What is kept before the sound is 200 ms of the clip's own silence.
    expect(master.samples.findIndex((x) => Math.abs(x) >= 0.01)).to.equal(4800);
    expect(isSilent(master, 0, 4799)).to.equal(true);
    expect(master.frames).to.equal(first!.frames + second!.frames);
  });
});
