import { expect } from "chai";
import { execa } from "execa";
import { access, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { AudioToolError } from "../../../src/audio/audio-errors.js";
import { encodeFile } from "../../../src/audio/ffmpeg.js";
import { durationSeconds } from "../../../src/audio/pcm.js";
import { encodeWav } from "../../../src/audio/wav.js";
import { decodeAudio, rmsDbfs } from "../../helpers/audio-file.js";
import { probeAudio } from "../../helpers/ffprobe.js";
import { buildS16Wav, harmonicTone, mono, sine } from "../../helpers/wav-builder.js";

const RATE = 24000;

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  return expect.fail("expected the promise to reject");
}

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}

describe("audio/ffmpeg", () => {
  let dir: string;
  let voiceWav: string;
  const voice = mono(RATE, harmonicTone({ f0: 140, seconds: 2, sampleRate: RATE, harmonics: [0.4, 0.2, 0.1] }));

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "ffmpeg-test-"));
    voiceWav = join(dir, "voice.wav");
    await writeFile(voiceWav, encodeWav(voice));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  describe("encodeFile", () => {
    it("writes mono 24 kHz MP3 at the highest bitrate LAME allows for that rate", async () => {
      const out = join(dir, "voice.mp3");
      await encodeFile({ inputPath: voiceWav, outputPath: out, format: "mp3" });
      const probed = await probeAudio(out);
      expect(probed).to.include({ codecName: "mp3", sampleRate: RATE, channels: 1 });
      // The container's duration counts whole 576-sample frames plus encoder delay; decoders trim those.
      expect(probed.durationSeconds).to.be.closeTo(2, 0.1);
      // 320k is requested as in the Python server; MPEG-2 Layer III (24 kHz) tops out at 160 kbps.
      expect(probed.bitRate).to.equal(160000);
    });

    it("writes MP3 that decodes to the same duration and loudness", async () => {
      const out = join(dir, "loudness.mp3");
      await encodeFile({ inputPath: voiceWav, outputPath: out, format: "mp3" });
      const decoded = await decodeAudio(out);
      expect(decoded.sampleRate).to.equal(RATE);
      expect(durationSeconds(decoded)).to.be.closeTo(2, 0.01);
      expect(rmsDbfs(decoded.samples)).to.be.closeTo(rmsDbfs(voice.samples), 0.5);
    });

    it("writes 320 kbps MP3 when the sample rate allows it", async () => {
      const input = join(dir, "tone48k.wav");
      await writeFile(input, buildS16Wav(mono(48000, sine({ freq: 440, seconds: 1, sampleRate: 48000 }))));
      const out = join(dir, "tone48k.mp3");
      await encodeFile({ inputPath: input, outputPath: out, format: "mp3" });
      expect((await probeAudio(out)).bitRate).to.equal(320000);
    });

    it("writes lossless FLAC that decodes back to the same audio", async () => {
      const out = join(dir, "voice.flac");
      await encodeFile({ inputPath: voiceWav, outputPath: out, format: "flac" });
      const probed = await probeAudio(out);
      expect(probed).to.include({ codecName: "flac", sampleRate: RATE, channels: 1 });
      const back = await decodeAudio(out);
      expect(back.sampleRate).to.equal(RATE);
      expect(back.samples.length).to.equal(voice.samples.length);
      let worst = 0;
      back.samples.forEach((x, i) => (worst = Math.max(worst, Math.abs(x - voice.samples[i]!))));
      expect(worst).to.be.below(1e-4);
    });

    it("treats names that look like URLs or ffmpeg protocols as plain files", async () => {
      const odd = join(dir, "http:voice.wav");
      await writeFile(odd, await readFile(voiceWav));
      const out = join(dir, "concat:out.flac");
      await encodeFile({ inputPath: odd, outputPath: out, format: "flac" });
      expect((await probeAudio(`file:${out}`)).codecName).to.equal("flac");
    });

    it("fails with a server-side error naming ffmpeg's complaint and leaves no half-written output", async () => {
      const notAudio = join(dir, "notes.wav");
      await writeFile(notAudio, "these are not samples");
      const out = join(dir, "broken.mp3");
      const error = await rejection(encodeFile({ inputPath: notAudio, outputPath: out, format: "mp3" }));
      expect(error).to.be.instanceOf(AudioToolError);
      expect((error as AudioToolError).code).to.equal("AUDIO_TOOL_FAILED");
      expect((error as Error).message).to.match(/^ffmpeg failed to encode mp3 \(exit code \d+\): .*Invalid data/);
      expect(await exists(out)).to.equal(false);
    });

    it("tells the operator to install ffmpeg when it is missing", async () => {
      const out = join(dir, "no-tool.flac");
      const ffmpegPath = join(dir, "no-such-ffmpeg");
      const error = await rejection(encodeFile({ inputPath: voiceWav, outputPath: out, format: "flac", ffmpegPath }));
      expect(error).to.be.instanceOf(AudioToolError);
      expect((error as AudioToolError).code).to.equal("FFMPEG_NOT_FOUND");
      expect((error as Error).message)
        .to.match(/install ffmpeg/)
        .and.match(/npm install/);
    });

    it("kills ffmpeg, removes the output and rejects with the abort reason when the signal aborts", async () => {
      // ffmpeg blocks forever opening a FIFO nobody writes to, so only the abort can end this call.
      const fifo = join(dir, "never.fifo");
      await execa("mkfifo", [fifo]);
      const out = join(dir, "aborted.flac");
      await writeFile(out, "stale output from an earlier run");
      const controller = new AbortController();
      const pending = encodeFile({ inputPath: fifo, outputPath: out, format: "flac", signal: controller.signal });
      const reason = new Error("client went away");
      controller.abort(reason);
      expect(await rejection(pending)).to.equal(reason);
      expect(await exists(out)).to.equal(false);
    });

    it("does not start ffmpeg for an already aborted signal", async () => {
      const out = join(dir, "never-started.flac");
      const error = await rejection(
        encodeFile({ inputPath: voiceWav, outputPath: out, format: "flac", signal: AbortSignal.abort() }),
      );
      expect((error as Error).name).to.equal("AbortError");
      expect(await exists(out)).to.equal(false);
    });
  });
});
