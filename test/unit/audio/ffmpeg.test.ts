import { expect } from "chai";
import { execa } from "execa";
import { access, mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { AudioToolError } from "../../../src/audio/audio-errors.js";
import { EXPORT_EXTENSIONS, encodeFile, opusRate, type EncodeFileOptions } from "../../../src/audio/ffmpeg.js";
import { durationSeconds } from "../../../src/audio/pcm.js";
import { encodeWav } from "../../../src/audio/wav.js";
import type { MonoPcm } from "../../../src/domain/audio.js";
import type { ExportFormat, WavSampleFormat } from "../../../src/domain/tts-fields.js";
import { decodeAudio, rmsDbfs } from "../../helpers/audio-file.js";
import { opusHeadInputRate, probeFile, topLevelBoxes } from "../../helpers/ffprobe-file.js";
import { harmonicTone, mono, noise } from "../../helpers/wav-builder.js";
import { rejection } from "../../helpers/rejection.js";

const RATE = 24000;
const SETTINGS = { mp3BitrateKbps: 320, opusBitrateKbps: 96, aacBitrateKbps: 160 };
const MP4 = "mov,mp4,m4a,3gp,3g2,mj2";

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

  /** Encodes `input` (default: the voice master) to `format` in the test folder and returns the path. */
  async function encode(format: ExportFormat, options: Partial<EncodeFileOptions> = {}): Promise<string> {
    const suffix = options.wavSampleFormat ?? "";
    const outputPath = join(
      dir,
      `${format}${suffix}-${Math.random().toString(36).slice(2)}.${EXPORT_EXTENSIONS[format]}`,
    );
    await encodeFile({
      inputPath: voiceWav,
      inputSampleRate: RATE,
      outputPath,
      format,
      settings: SETTINGS,
      ...options,
    });
    return outputPath;
  }

  async function writeMaster(name: string, pcm: MonoPcm): Promise<string> {
    const path = join(dir, name);
    await writeFile(path, encodeWav(pcm));
    return path;
  }

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "ffmpeg-test-"));
    voiceWav = await writeMaster("voice.wav", voice);
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  describe("encodeFile: containers and codecs", () => {
    const cases: Array<{ format: ExportFormat; wav?: WavSampleFormat; container: string; codec: string }> = [
      { format: "wav", wav: "f32", container: "wav", codec: "pcm_f32le" },
      { format: "wav", wav: "s16", container: "wav", codec: "pcm_s16le" },
      { format: "wav", wav: "s24", container: "wav", codec: "pcm_s24le" },
      { format: "mp3", container: "mp3", codec: "mp3" },
      { format: "flac", container: "flac", codec: "flac" },
      { format: "aac", container: MP4, codec: "aac" },
    ];
    for (const { format, wav, container, codec } of cases) {
      it(`writes ${format}${wav ? ` ${wav}` : ""} as mono ${codec} in ${container} at the master's rate`, async () => {
        const out = await encode(format, wav ? { wavSampleFormat: wav } : {});
        expect(await probeFile(out)).to.include({ container, codecName: codec, sampleRate: RATE, channels: 1 });
      });
    }

    it("writes wav with 32-, 24- and 16-bit samples as asked", async () => {
      const bits: Record<WavSampleFormat, number> = { f32: 32, s24: 24, s16: 16 };
      for (const [wavSampleFormat, expected] of Object.entries(bits) as Array<[WavSampleFormat, number]>) {
        const probed = await probeFile(await encode("wav", { wavSampleFormat }));
        expect(probed.bitsPerSample, wavSampleFormat).to.equal(expected);
      }
    });

    it("writes integer WAV that decodes to the master within one step of its resolution", async () => {
      for (const [wavSampleFormat, step] of [
        ["s16", 1 / 32768],
        ["s24", 1 / 8388608],
      ] as const) {
        const back = await decodeAudio(await encode("wav", { wavSampleFormat }));
        expect(back.samples.length).to.equal(voice.samples.length);
        let worst = 0;
        back.samples.forEach((x, i) => (worst = Math.max(worst, Math.abs(x - voice.samples[i]!))));
        expect(worst, wavSampleFormat).to.be.at.most(step);
      }
    });

    it("writes Ogg Opus that records the master's 24 kHz as its input rate (Opus itself decodes at 48 kHz)", async () => {
      const out = await encode("opus");
      expect(await probeFile(out)).to.include({ container: "ogg", codecName: "opus", sampleRate: 48000, channels: 1 });
      expect(opusHeadInputRate(await readFile(out))).to.equal(RATE);
    });

    it("resamples Opus from rates it cannot take to the next rate it can", async () => {
      expect([8000, 11025, 16000, 22050, 24000, 32000, 44100, 48000, 96000].map(opusRate)).to.deep.equal([
        8000, 12000, 16000, 24000, 24000, 48000, 48000, 48000, 48000,
      ]);
      const rate = 22050;
      const input = await writeMaster(
        "voice22k.wav",
        mono(rate, harmonicTone({ f0: 140, seconds: 1, sampleRate: rate, harmonics: [0.4] })),
      );
      const out = await encode("opus", { inputPath: input, inputSampleRate: rate });
      expect(opusHeadInputRate(await readFile(out))).to.equal(24000);
      expect(durationSeconds(await decodeAudio(out))).to.be.closeTo(1, 0.03);
    });

    it("writes AAC-LC in an M4A with its index before the samples (faststart)", async () => {
      const out = await encode("aac");
      const probed = await probeFile(out);
      expect(probed).to.include({ profile: "LC", majorBrand: "M4A " });
      const boxes = topLevelBoxes(await readFile(out));
      expect(boxes[0]).to.equal("ftyp");
      expect(boxes.indexOf("moov")).to.be.within(0, boxes.indexOf("mdat"));
    });

    it("writes pcm as headerless signed 16-bit little-endian samples: exactly 2 bytes per sample", async () => {
      const out = await encode("pcm");
      expect((await stat(out)).size).to.equal(voice.samples.length * 2);
      const bytes = await readFile(out);
      const worst = voice.samples.reduce(
        (max, x, i) => Math.max(max, Math.abs(bytes.readInt16LE(i * 2) / 32768 - x)),
        0,
      );
      expect(worst).to.be.at.most(1 / 32768);
      // An independent reader agrees once told the format the bytes cannot carry.
      const { stdout } = await execa("ffprobe", [
        "-v",
        "error",
        "-f",
        "s16le",
        "-ar",
        String(RATE),
        "-ac",
        "1",
        "-show_entries",
        "format=duration",
        "-of",
        "csv=p=0",
        out,
      ]);
      expect(Number(stdout)).to.be.closeTo(2, 1e-3);
    });
  });

  describe("encodeFile: durations and levels against the master", () => {
    // Lossless formats keep every sample; lossy ones pad to whole frames and trim encoder delay on decoding
    // only as precisely as their container allows.
    const tolerances: Array<[ExportFormat, number]> = [
      ["wav", 1 / RATE],
      ["flac", 1 / RATE],
      ["pcm", 1 / RATE],
      ["mp3", 0.01],
      ["aac", 0.03],
      ["opus", 0.03],
    ];
    for (const [format, tolerance] of tolerances) {
      it(`${format} decodes to the master's duration (±${(tolerance * 1000).toFixed(2)} ms) and loudness`, async () => {
        const out = await encode(format);
        const decoded =
          format === "pcm" ? { sampleRate: RATE, samples: pcmFloats(await readFile(out)) } : await decodeAudio(out);
        expect(durationSeconds(decoded)).to.be.closeTo(durationSeconds(voice), tolerance);
        expect(rmsDbfs(decoded.samples)).to.be.closeTo(rmsDbfs(voice.samples), 0.5);
      });
    }

    it("writes lossless FLAC that decodes back to the master within 16-bit resolution", async () => {
      const back = await decodeAudio(await encode("flac"));
      expect(back.samples.length).to.equal(voice.samples.length);
      let worst = 0;
      back.samples.forEach((x, i) => (worst = Math.max(worst, Math.abs(x - voice.samples[i]!))));
      expect(worst).to.be.below(1e-4);
    });
  });

  describe("encodeFile: bitrates from the settings", () => {
    let noiseWav: string;
    before(async () => {
      noiseWav = await writeMaster("noise.wav", mono(RATE, noise({ seconds: 3, sampleRate: RATE, amplitude: 0.3 })));
    });

    it("writes constant-bitrate MP3 at the configured rate", async () => {
      const settings = { ...SETTINGS, mp3BitrateKbps: 64 };
      expect((await probeFile(await encode("mp3", { inputPath: noiseWav, settings }))).bitRate).to.equal(64000);
    });

    it("lets LAME cap MP3 at 160 kbps for 24 kHz audio, and keep 320 kbps at 48 kHz", async () => {
      expect((await probeFile(await encode("mp3"))).bitRate).to.equal(160000);
      const input = await writeMaster(
        "voice48k.wav",
        mono(48000, harmonicTone({ f0: 140, seconds: 1, sampleRate: 48000, harmonics: [0.4] })),
      );
      const out = await encode("mp3", { inputPath: input, inputSampleRate: 48000 });
      expect(await probeFile(out)).to.include({ bitRate: 320000, sampleRate: 48000 });
    });

    for (const [format, field] of [
      ["opus", "opusBitrateKbps"],
      ["aac", "aacBitrateKbps"],
    ] as const) {
      it(`writes ${format} near the configured bitrate, low and high`, async () => {
        for (const kbps of [32, 96]) {
          const settings = { ...SETTINGS, [field]: kbps };
          const { bitRate } = await probeFile(await encode(format, { inputPath: noiseWav, settings }));
          // Both encoders are variable-bitrate: near the target for noise, which leaves nothing to save.
          expect(bitRate / 1000, `${format} at ${kbps} kbps`).to.be.within(kbps * 0.8, kbps * 1.25);
        }
      });
    }
  });

  describe("encodeFile: failures", () => {
    it("treats names that look like URLs or ffmpeg protocols as plain files", async () => {
      const odd = join(dir, "http:voice.wav");
      await writeFile(odd, await readFile(voiceWav));
      const out = join(dir, "concat:out.flac");
      await encodeFile({ inputPath: odd, inputSampleRate: RATE, outputPath: out, format: "flac", settings: SETTINGS });
      expect((await probeFile(out)).codecName).to.equal("flac");
    });

    it("fails with a server-side error naming ffmpeg's complaint and leaves no half-written output", async () => {
      const notAudio = join(dir, "notes.wav");
      await writeFile(notAudio, "these are not samples");
      for (const format of ["mp3", "opus", "aac", "pcm"] as const) {
        const out = join(dir, `broken.${EXPORT_EXTENSIONS[format]}`);
        const error = await rejection(encode(format, { inputPath: notAudio, outputPath: out }));
        expect(error).to.be.instanceOf(AudioToolError);
        expect((error as AudioToolError).code).to.equal("AUDIO_TOOL_FAILED");
        expect((error as Error).message).to.match(
          new RegExp(`^ffmpeg failed to encode ${format} \\(exit code \\d+\\): .*Invalid data`),
        );
        expect(await exists(out), format).to.equal(false);
      }
    });

    it("removes the output when the encoder fails after it started writing", async () => {
      // A stand-in for ffmpeg that writes part of its output file (its last argument), then fails.
      const ffmpegPath = join(dir, "fails-midway.sh");
      const script =
        '#!/bin/sh\nfor last; do :; done\nprintf partial > "${last#file:}"\necho "Conversion failed!" >&2\nexit 1\n';
      await writeFile(ffmpegPath, script, { mode: 0o755 });
      const out = join(dir, "partial.m4a");
      const error = await rejection(encode("aac", { outputPath: out, ffmpegPath }));
      expect(error).to.be.instanceOf(AudioToolError);
      expect((error as Error).message).to.equal("ffmpeg failed to encode aac (exit code 1): Conversion failed!");
      expect(await exists(out)).to.equal(false);
    });

    it("tells the operator to install ffmpeg when it is missing", async () => {
      const out = join(dir, "no-tool.flac");
      const error = await rejection(encode("flac", { outputPath: out, ffmpegPath: join(dir, "no-such-ffmpeg") }));
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
      const pending = encode("flac", { inputPath: fifo, outputPath: out, signal: controller.signal });
      const reason = new Error("client went away");
      controller.abort(reason);
      expect(await rejection(pending)).to.equal(reason);
      expect(await exists(out)).to.equal(false);
    });

    it("does not start ffmpeg for an already aborted signal", async () => {
      const out = join(dir, "never-started.flac");
      const error = await rejection(encode("flac", { outputPath: out, signal: AbortSignal.abort() }));
      expect((error as Error).name).to.equal("AbortError");
      expect(await exists(out)).to.equal(false);
    });
  });
});

function pcmFloats(bytes: Buffer): Float32Array {
  const out = new Float32Array(bytes.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = bytes.readInt16LE(i * 2) / 32768;
  return out;
}
