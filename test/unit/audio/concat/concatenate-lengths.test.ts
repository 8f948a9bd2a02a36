import { expect } from "chai";
import { readFile } from "node:fs/promises";
import type { ClipReport, ConcatItem, ConcatOptions, ConcatReport } from "../../../../src/audio/concat/types.js";
import { isSilent, joinAndRead, tempFolder, voiceLike, writeClip } from "./concat-fixtures.js";

const RATE = 24000;

const clipFrames = (report: ConcatReport) =>
  report.items.filter((item): item is ClipReport => item.kind === "clip").reduce((sum, c) => sum + c.frames, 0);

describe("audio/concat/concatenate: lengths", () => {
  let dir: string;
  let dispose: () => Promise<void>;
  let clips: ConcatItem[];

  before(async () => {
    ({ dir, dispose } = await tempFolder("concat-lengths-"));
    const seconds = [1, 0.7, 1.3, 0.5, 0.9];
    clips = await Promise.all(
      seconds.map(async (s, i) => ({
        kind: "clip" as const,
        path: await writeClip(
          dir,
          `c${i}.wav`,
          voiceLike({ seconds: s, sampleRate: RATE, f0: 150 + 20 * i, seed: i }),
          RATE,
        ),
        label: `c${i}.wav`,
      })),
    );
  });
  after(() => dispose());

  const join_ = (items: ConcatItem[], options: Partial<ConcatOptions> = {}) => joinAndRead(dir, items, options);

  const silence = (ms: number, label = `(${ms}ms)`): ConcatItem => ({ kind: "silence", ms, label });

  it("adds exactly round(ms × rate / 1000) frames of digital silence for a manual silence", async () => {
    const { report, master } = await join_([clips[0]!, silence(500), clips[1]!]);
    expect(master.frames).to.equal(24000 + 12000 + 16800);
    expect(report.frames).to.equal(master.frames);
    expect(isSilent(master, 24000, 36000)).to.equal(true);
    expect(master.samples[23999]).to.not.equal(0);
    expect(master.samples[36000]).to.not.equal(0);
    expect(report.gaps).to.deep.equal([{ after: 0, kind: "silence", ms: 500, frames: 12000 }]);
  });

  it("keeps that exactness at another output rate, where the clips are resampled", async () => {
    const layout = { sampleRate: 44100, channels: 1 as const };
    const { report, master } = await join_([clips[0]!, silence(333), silence(500), clips[1]!], { layout });
    expect(master.sampleRate).to.equal(44100);
    expect(report.items.slice(1, 3).map((item) => item.kind === "silence" && item.frames)).to.deep.equal([
      14685, 22050,
    ]);
    expect(master.frames).to.equal(clipFrames(report) + 14685 + 22050);
    const first = report.items[0] as ClipReport;
    expect(first.frames).to.be.within(44099, 44101);
    expect(isSilent(master, first.frames, first.frames + 14685 + 22050)).to.equal(true);
  });

  it("puts natural pauses within base ± variation between clips, as reported, and none after the last", async () => {
    const pause = { baseMs: 400, variationMs: 150, seed: 11 };
    const { report, master } = await join_(clips, { pause });
    expect(report.gaps).to.have.length(4);
    let at = 0;
    report.gaps.forEach((gap, i) => {
      expect(gap.kind).to.equal("pause");
      expect(gap.ms).to.be.within(250, 550);
      expect(gap.ms).to.equal(gap.baseMs! + gap.variationMs!);
      expect(gap.frames).to.equal(Math.round((gap.ms * RATE) / 1000));
      at += (report.items[i] as ClipReport).frames;
      expect(isSilent(master, at, at + gap.frames)).to.equal(true);
      expect(master.samples[at - 1]).to.not.equal(0);
      expect(master.samples[at + gap.frames]).to.not.equal(0);
      at += gap.frames;
    });
    const pauses = report.gaps.reduce((sum, gap) => sum + gap.frames, 0);
    expect(master.frames).to.equal(clipFrames(report) + pauses);
    expect(master.samples[master.frames - 1]).to.not.equal(0); // no trailing pause
  });

  it("draws the same pauses, and writes the same master, for the same seed", async () => {
    const pause = { baseMs: 700, variationMs: 300, seed: 99 };
    const a = await join_(clips, { pause });
    const b = await join_(clips, { pause });
    const c = await join_(clips, { pause: { ...pause, seed: 100 } });
    expect(a.report.gaps).to.deep.equal(b.report.gaps);
    expect((await readFile(a.masterPath)).equals(await readFile(b.masterPath))).to.equal(true);
    expect(c.report.gaps.map((g) => g.ms)).to.not.deep.equal(a.report.gaps.map((g) => g.ms));
  });

  it("shortens the total by exactly each crossfade, capped at the shorter clip", async () => {
    const plain = await join_(clips.slice(0, 4));
    const { report, master } = await join_(clips.slice(0, 4), { crossfadeMs: 200 });
    expect(master.frames).to.equal(plain.master.frames - 3 * 4800);
    expect(report.gaps.map((g) => [g.kind, g.frames, g.ms])).to.deep.equal([
      ["crossfade", 4800, 200],
      ["crossfade", 4800, 200],
      ["crossfade", 4800, 200],
    ]);
    const long = await join_([clips[0]!, clips[3]!, clips[1]!], { crossfadeMs: 800 });
    expect(long.report.gaps.map((g) => g.frames)).to.deep.equal([12000, 12000]); // clip 3 lasts 500 ms
    expect(long.master.frames).to.equal(24000 + 12000 + 16800 - 24000);
  });

  it("never crossfades into or out of a manual silence", async () => {
    const { report, master } = await join_([clips[0]!, silence(250), clips[1]!, clips[2]!], { crossfadeMs: 100 });
    expect(report.gaps.map((g) => g.kind)).to.deep.equal(["silence", "crossfade"]);
    expect(master.frames).to.equal(24000 + 6000 + 16800 + 31200 - 2400);
    expect(isSilent(master, 24000, 30000)).to.equal(true);
  });

  it("keeps silences placed before the first clip and after the last, as given", async () => {
    const { report, master } = await join_([silence(300), clips[0]!, silence(200)], {
      pause: { baseMs: 500, variationMs: 100, seed: 1 },
    });
    expect(master.frames).to.equal(7200 + 24000 + 4800);
    expect(isSilent(master, 0, 7200)).to.equal(true);
    expect(master.samples[7200]).to.not.equal(0);
    expect(isSilent(master, 31200, 36000)).to.equal(true);
    expect(report.items.map((item) => [item.kind, item.frames])).to.deep.equal([
      ["silence", 7200],
      ["clip", 24000],
      ["silence", 4800],
    ]);
    expect(report.gaps).to.deep.equal([]);
    expect(report).to.include({ frames: 36000, durationSeconds: 1.5 });
  });
});
