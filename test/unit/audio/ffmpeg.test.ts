import { expect } from "chai";
import { execa } from "execa";
import { access, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { AudioToolError } from "../../../src/audio/audio-errors.js";
import { decodeToPcm, encodeFile } from "../../../src/audio/ffmpeg.js";
import { durationSeconds, rmsDbfs } from "../../../src/audio/pcm.js";
import { encodeWav } from "../../../src/audio/wav.js";
import { BadRequestError, PayloadTooLargeError } from "../../../src/domain/errors.js";
import { buildWav, harmonicTone, mono, sine } from "../../helpers/wav-builder.js";
import { probeAudio } from "./ffprobe.js";

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
    await writeFile(voiceWav, encodeWav(voice, { format: "f32" }));
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

    it("writes 320 kbps MP3 when the sample rate allows it", async () => {
      const input = join(dir, "tone48k.wav");
      await writeFile(input, encodeWav(mono(48000, sine({ freq: 440, seconds: 1, sampleRate: 48000 })), { format: "s16" }));
      const out = join(dir, "tone48k.mp3");
      await encodeFile({ inputPath: input, outputPath: out, format: "mp3" });
      expect((await probeAudio(out)).bitRate).to.equal(320000);
    });

    it("writes lossless FLAC that decodes back to the same audio", async () => {
      const out = join(dir, "voice.flac");
      await encodeFile({ inputPath: voiceWav, outputPath: out, format: "flac" });
      const probed = await probeAudio(out);
      expect(probed).to.include({ codecName: "flac", sampleRate: RATE, channels: 1 });
      const back = await decodeToPcm(out);
      expect(back.samples.length).to.equal(voice.samples.length);
      let worst = 0;
      back.samples.forEach((x, i) => (worst = Math.max(worst, Math.abs(x - voice.samples[i]!))));
      expect(worst).to.be.below(1e-4);
    });

    it("writes 16-bit WAV by default and float WAV on request", async () => {
      const s16 = join(dir, "out16.wav");
      const f32 = join(dir, "out32.wav");
      await encodeFile({ inputPath: voiceWav, outputPath: s16, format: "wav" });
      await encodeFile({ inputPath: voiceWav, outputPath: f32, format: "wav", wavSampleFormat: "f32" });
      expect(await probeAudio(s16)).to.include({ codecName: "pcm_s16le", sampleRate: RATE, channels: 1 });
      expect(await probeAudio(f32)).to.include({ codecName: "pcm_f32le", sampleRate: RATE, channels: 1 });
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
  });

  describe("decodeToPcm", () => {
    it("decodes an MP3 file to mono float PCM of the same duration", async () => {
      const mp3 = join(dir, "decode.mp3");
      await encodeFile({ inputPath: voiceWav, outputPath: mp3, format: "mp3" });
      const pcm = await decodeToPcm(mp3);
      expect(pcm.sampleRate).to.equal(RATE);
      expect(durationSeconds(pcm)).to.be.closeTo(2, 0.01);
      expect(rmsDbfs(pcm)).to.be.closeTo(rmsDbfs(voice), 0.5);
    });

    it("resamples to the requested rate and averages stereo channels", async () => {
      const left = sine({ freq: 440, seconds: 1, sampleRate: 44100, amplitude: 0.5 });
      const right = new Float32Array(left.length);
      const stereo = join(dir, "stereo.wav");
      await writeFile(stereo, buildWav({ sampleRate: 44100, channels: [left, right], encoding: "s16" }));
      const pcm = await decodeToPcm(stereo, { sampleRate: RATE });
      expect(pcm.sampleRate).to.equal(RATE);
      expect(pcm.samples.length).to.be.closeTo(RATE, 2);
      // Averaging a half-scale tone with silence gives a quarter-scale tone: -12 dBFS peak.
      const peak = pcm.samples.reduce((m, x) => Math.max(m, Math.abs(x)), 0);
      expect(20 * Math.log10(peak)).to.be.closeTo(-12.04, 0.3);
    });

    it("decodes in-memory bytes", async () => {
      const flac = join(dir, "mem.flac");
      await encodeFile({ inputPath: voiceWav, outputPath: flac, format: "flac" });
      const pcm = await decodeToPcm(await readFile(flac));
      expect(pcm.sampleRate).to.equal(RATE);
      expect(pcm.samples.length).to.equal(voice.samples.length);
    });

    it("rejects bytes that are not audio as INVALID_AUDIO", async () => {
      const error = await rejection(decodeToPcm(Buffer.from("definitely not an audio file")));
      expect(error).to.be.instanceOf(BadRequestError);
      expect((error as BadRequestError).code).to.equal("INVALID_AUDIO");
    });

    it("rejects a file without an audio stream as INVALID_AUDIO", async () => {
      const videoOnly = join(dir, "video.mkv");
      await execa("ffmpeg", ["-v", "error", "-f", "lavfi", "-i", "color=c=black:s=16x16:d=0.2", "-c:v", "ffv1", videoOnly]);
      const error = await rejection(decodeToPcm(videoOnly));
      expect((error as BadRequestError).code).to.equal("INVALID_AUDIO");
      expect((error as Error).message).to.match(/no audio stream/);
    });

    it("refuses to hold more decoded audio than maxBytes", async () => {
      const error = await rejection(decodeToPcm(voiceWav, { maxBytes: 10_000 }));
      expect(error).to.be.instanceOf(PayloadTooLargeError);
    });

    it("tells the operator to install ffmpeg when it is missing", async () => {
      const error = await rejection(decodeToPcm(voiceWav, { ffmpegPath: join(dir, "no-such-ffmpeg") }));
      expect(error).to.be.instanceOf(AudioToolError);
      expect((error as AudioToolError).code).to.equal("FFMPEG_NOT_FOUND");
      expect((error as Error).message).to.match(/install ffmpeg/).and.match(/npm install/);
    });

    it("kills ffmpeg and rejects with the abort reason when the signal aborts", async () => {
      // ffmpeg blocks forever opening a FIFO nobody writes to, so only the abort can end this call.
      const fifo = join(dir, "never.fifo");
      await execa("mkfifo", [fifo]);
      const controller = new AbortController();
      const pending = decodeToPcm(fifo, { signal: controller.signal });
      const reason = new Error("client went away");
      controller.abort(reason);
      expect(await rejection(pending)).to.equal(reason);
    });

    it("does not start ffmpeg for an already aborted signal", async () => {
      const error = await rejection(decodeToPcm(voiceWav, { signal: AbortSignal.abort() }));
      expect((error as Error).name).to.equal("AbortError");
    });
  });
});
