import { expect } from "chai";
import { mkdir, readdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { concatenate } from "../../../../src/audio/concat/concatenate.js";
import type { ConcatItem, ConcatOptions } from "../../../../src/audio/concat/types.js";
import { BadRequestError } from "../../../../src/domain/errors.js";
import { ebur128 } from "../../../helpers/loudness-meter.js";
import { rejection } from "../../../helpers/rejection.js";
import { ffmpegConvert, readMaster, tempFolder, voiceLike, writeClip } from "./concat-fixtures.js";

const RATE = 24000;
type Clip = Extract<ConcatItem, { kind: "clip" }>;

describe("audio/concat/concatenate: failures, aborts, loudness, progress", () => {
  let dir: string;
  let dispose: () => Promise<void>;
  let run = 0;
  let wavs: Clip[];
  let mp3s: Clip[];
  let garbage: Clip;

  before(async () => {
    ({ dir, dispose } = await tempFolder("concat-runs-"));
    wavs = await Promise.all(
      [0, 1, 2, 3].map(async (i) => {
        const samples = voiceLike({
          seconds: 3,
          sampleRate: RATE,
          f0: 120 + 30 * i,
          amplitude: 0.1 + 0.1 * i,
          seed: i,
        });
        return { kind: "clip" as const, path: await writeClip(dir, `w${i}.wav`, samples, RATE), label: `w${i}.wav` };
      }),
    );
    mp3s = await Promise.all(
      [0, 1, 2].map(async (i) => {
        const path = await ffmpegConvert(wavs[i]!.path, join(dir, `m${i}.mp3`), ["-ar", "44100", "-b:a", "96k"]);
        return { kind: "clip" as const, path, label: `m${i}.mp3` };
      }),
    );
    const notAudio = join(dir, "notes.wav");
    await writeFile(notAudio, "these are my notes, not audio\n".repeat(100));
    garbage = { kind: "clip", path: notAudio, label: "notes.wav" };
  });
  after(() => dispose());

  /** A fresh, empty scratch folder with the master inside it. */
  async function options(items: ConcatItem[], extra: Partial<ConcatOptions> = {}): Promise<ConcatOptions> {
    run += 1;
    const scratchDir = join(dir, `scratch-${run}`);
    await mkdir(scratchDir);
    return {
      items,
      normalizeLevels: false,
      crossfadeMs: 0,
      scratchDir,
      masterPath: join(scratchDir, "master.wav"),
      ...extra,
    };
  }

  it("names the clip that cannot be decoded, as the first clip and later on, and leaves nothing behind", async () => {
    for (const items of [
      [garbage, wavs[0]!],
      [mp3s[0]!, mp3s[1]!, garbage, mp3s[2]!],
    ]) {
      const opts = await options(items, { crossfadeMs: 30 });
      const error = await rejection<BadRequestError>(concatenate(opts));
      expect(error).to.be.instanceOf(BadRequestError);
      expect(error.code).to.equal("INVALID_AUDIO");
      expect(error.message).to.contain('"notes.wav"');
      expect(error.message).to.not.contain(dir);
      expect(await readdir(opts.scratchDir)).to.deep.equal([]);
    }
  });

  it("rejects a clip that holds no samples, naming it", async () => {
    const empty = await writeClip(dir, "empty.wav", new Float32Array(0), RATE);
    const opts = await options([wavs[0]!, { kind: "clip", path: empty, label: "empty.wav" }]);
    const error = await rejection<BadRequestError>(concatenate(opts));
    expect(error).to.include({
      code: "INVALID_AUDIO",
      message: 'Could not decode "empty.wav": it holds no audio samples',
    });
    expect(await readdir(opts.scratchDir)).to.deep.equal([]);
  });

  it("stops on abort while clips decode and join, rejects with the reason, and leaves nothing behind", async () => {
    const controller = new AbortController();
    const reason = new Error("client went away");
    const items = Array.from({ length: 12 }, (_, i) => mp3s[i % 3]!);
    const opts = await options(items, {
      signal: controller.signal,
      onProgress: () => controller.abort(reason),
    });
    expect(await rejection(concatenate(opts))).to.equal(reason);
    expect(await readdir(opts.scratchDir)).to.deep.equal([]);
  });

  it("does not start when already aborted", async () => {
    const reason = new Error("too late");
    const opts = await options([wavs[0]!], { signal: AbortSignal.abort(reason) });
    expect(await rejection(concatenate(opts))).to.equal(reason);
    expect(await readdir(opts.scratchDir)).to.deep.equal([]);
  });

  it("reports progress as clips are joined, ending with every clip", async () => {
    const calls: Array<[number, number]> = [];
    const items = Array.from({ length: 45 }, (_, i) => wavs[i % 4]!);
    await concatenate(await options(items, { onProgress: (done, total) => calls.push([done, total]) }));
    expect(calls.at(-1)).to.deep.equal([45, 45]);
    expect(calls.length).to.be.within(20, 45);
    calls.slice(1).forEach(([done], i) => expect(done).to.be.above(calls[i]![0]));
  });

  it("brings the master to a loudness target with one gain when the true peak allows it", async () => {
    const plain = await options([wavs[0]!, wavs[1]!]);
    await concatenate(plain);
    const plainMaster = await readMaster(plain.masterPath);
    const opts = await options([wavs[0]!, wavs[1]!], { loudnessTargetLufs: -23 });
    const report = await concatenate(opts);
    expect(report.loudness).to.include({ mode: "linear", targetLufs: -23, truePeakCeilingDbtp: -1 });
    expect(report.loudness!.outputLufs).to.be.closeTo(-23, 0.05);
    const master = await readMaster(opts.masterPath);
    expect(master).to.include({ frames: report.frames, codec: "pcm_f32le" });
    const measured = await ebur128({ sampleRate: RATE, samples: master.samples });
    expect(measured.integrated).to.be.closeTo(-23, 0.3);
    const before = await ebur128({ sampleRate: RATE, samples: plainMaster.samples });
    expect(report.loudness!.inputLufs).to.be.closeTo(before.integrated, 0.05);
    expect(await readdir(opts.scratchDir)).to.deep.equal(["master.wav"]);
  });

  it("uses loudnorm's dynamic mode when one gain would pass the true-peak ceiling, keeping the exact length", async () => {
    const opts = await options([wavs[3]!, wavs[0]!], { loudnessTargetLufs: -5, normalizeLevels: true });
    const report = await concatenate(opts);
    expect(report.loudness).to.include({ mode: "dynamic", targetLufs: -5 });
    const master = await readMaster(opts.masterPath);
    expect(master.frames).to.equal(report.frames);
    const measured = await ebur128({ sampleRate: RATE, samples: master.samples });
    expect(measured.integrated).to.be.closeTo(report.loudness!.outputLufs, 1);
    expect(measured.truePeak).to.be.at.most(-0.5);
  });
});
