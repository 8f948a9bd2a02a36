import { expect } from "chai";
import { join } from "node:path";
import type { ClipReport, ConcatItem, ConcatOptions } from "../../../../src/audio/concat/types.js";
import { sine } from "../../../helpers/wav-builder.js";
import {
  ffmpegConvert,
  readMaster,
  rmsDbfsOf,
  tempFolder,
  voiceLike,
  writeClip,
  type DecodedMaster,
  joinAndRead,
} from "./concat-fixtures.js";

/** One channel of an interleaved master, frames `[from, to)`, as a mono master. */
function channelOf(master: DecodedMaster, channel: number, from: number, to: number): DecodedMaster {
  const samples = new Float32Array(to - from);
  for (let f = from; f < to; f++) samples[f - from] = master.samples[f * master.channels + channel]!;
  return { ...master, channels: 1, frames: samples.length, samples };
}

function zeroCrossings(samples: Float32Array): number {
  let count = 0;
  for (let i = 1; i < samples.length; i++) if (samples[i - 1]! < 0 !== samples[i]! < 0) count += 1;
  return count;
}

describe("audio/concat/concatenate: formats and layouts", () => {
  let dir: string;
  let dispose: () => Promise<void>;
  type Clip = Extract<ConcatItem, { kind: "clip" }>;
  let stereo16k: Clip;
  let mono24k: Clip;
  let tone24k: Clip;
  let mp3: Clip;
  let mono16k: Clip;
  const mono16kSamples = voiceLike({ seconds: 0.6, sampleRate: 16000, f0: 200, seed: 4 });

  const clip = (path: string, label: string) => ({ kind: "clip" as const, path, label });

  before(async () => {
    ({ dir, dispose } = await tempFolder("concat-formats-"));
    const source16k = await writeClip(dir, "src16k.wav", voiceLike({ seconds: 1, sampleRate: 16000, seed: 1 }), 16000);
    // Left is the voice, right the voice at half level: a downmix to mono is then 0.75 × the voice.
    const stereoArgs = ["-af", "pan=stereo|c0=c0|c1=0.5*c0", "-c:a", "pcm_s16le"];
    stereo16k = clip(await ffmpegConvert(source16k, join(dir, "stereo16k.wav"), stereoArgs), "stereo16k.wav");
    mono24k = clip(
      await writeClip(dir, "mono24k.wav", voiceLike({ seconds: 0.8, sampleRate: 24000, seed: 2 }), 24000),
      "mono24k.wav",
    );
    const tone = sine({ freq: 440, seconds: 0.8, sampleRate: 24000, amplitude: 0.5 });
    tone24k = clip(await writeClip(dir, "tone24k.wav", tone, 24000), "tone24k.wav");
    const source44k = await writeClip(
      dir,
      "src44k.wav",
      voiceLike({ seconds: 1.2, sampleRate: 44100, seed: 3 }),
      44100,
    );
    mp3 = clip(
      await ffmpegConvert(source44k, join(dir, "clip44k.mp3"), ["-c:a", "libmp3lame", "-b:a", "128k"]),
      "clip44k.mp3",
    );
    mono16k = clip(await writeClip(dir, "mono16k.wav", mono16kSamples, 16000), "mono16k.wav");
  });
  after(() => dispose());

  const join_ = (items: ConcatItem[], options: Partial<ConcatOptions> = {}) => joinAndRead(dir, items, options);

  it("converts every clip to the first clip's rate and channels, keeping each clip's duration", async () => {
    const { report, master } = await join_([stereo16k, mono24k, mp3, tone24k]);
    expect(report.layout).to.deep.equal({ sampleRate: 16000, channels: 2 });
    expect(master).to.include({ codec: "pcm_f32le", sampleRate: 16000, channels: 2 });
    const [first, second, third, fourth] = report.items as ClipReport[];
    expect(first!.frames).to.equal(16000);
    expect(second!.frames).to.be.within(12799, 12801);
    expect(third!.durationSeconds).to.be.closeTo(1.2, 0.005); // ffmpeg drops the MP3's encoder delay and padding
    expect(fourth!.frames).to.be.within(12799, 12801);
    expect(master.frames).to.equal(first!.frames + second!.frames + third!.frames + fourth!.frames);
    // No pitch change: the 440 Hz tone still crosses zero 880 times a second after resampling.
    const toneStart = master.frames - fourth!.frames;
    expect(zeroCrossings(channelOf(master, 0, toneStart, master.frames).samples)).to.be.within(702, 706);
  });

  it("copies a mono clip to both sides of a stereo master at its own level", async () => {
    const { master } = await join_([stereo16k, mono16k]);
    const own = rmsDbfsOf({ samples: mono16kSamples, channels: 1 } as DecodedMaster, 0, mono16kSamples.length);
    // The edge fades take a few hundredths of a dB; the channel copy takes nothing.
    for (const channel of [0, 1]) {
      const side = channelOf(master, channel, 16000, master.frames);
      expect(rmsDbfsOf(side, 0, side.frames)).to.be.closeTo(own, 0.05);
    }
  });

  it("takes a stereo clip into a mono master as the mean of its channels, at the layout asked for", async () => {
    const layout = { sampleRate: 48000, channels: 1 as const };
    const { report, master } = await join_([stereo16k], { layout });
    expect(master).to.include({ sampleRate: 48000, channels: 1, frames: 48000 });
    const left = await readMaster(stereo16k.path);
    const leftRms = rmsDbfsOf(channelOf(left, 0, 0, left.frames), 0, left.frames);
    expect(rmsDbfsOf(master, 0, master.frames)).to.be.closeTo(leftRms + 20 * Math.log10(0.75), 0.05);
    expect(report.layout).to.deep.equal(layout);
  });

  it("makes a master of more than two channels' first clip stereo", async () => {
    const surround = clip(
      await ffmpegConvert(mono24k.path, join(dir, "surround.wav"), ["-ac", "6", "-c:a", "pcm_s16le"]),
      "surround.wav",
    );
    const { report, master } = await join_([surround, mono24k]);
    expect(report.layout).to.deep.equal({ sampleRate: 24000, channels: 2 });
    expect(master).to.include({ channels: 2, frames: 2 * 19200 });
  });
});
