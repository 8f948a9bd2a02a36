import { expect } from "chai";
import { access, mkdtemp, readFile, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { AudioToolError } from "../../../src/audio/audio-errors.js";
import { ffmetadata, writeChapteredAudio, type ChapterMark } from "../../../src/audio/chapter-marks.js";
import { encodeWav } from "../../../src/audio/wav.js";
import { probeChapters, probeFile } from "../../helpers/ffprobe-file.js";
import { rejection } from "../../helpers/rejection.js";
import { mono, sine } from "../../helpers/wav-builder.js";

const RATE = 24000;
const SECONDS = 3;
/** The second title holds every character the metadata format escapes. */
const MARKS: ChapterMark[] = [
  { title: "Opening", startSeconds: 0, endSeconds: 1.25 },
  { title: "Part 2: A = B; #1 \\ end\nof line", startSeconds: 1.25, endSeconds: SECONDS },
];

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}

/** The metadata folders writeChapteredAudio has left in the system temp folder. */
async function metadataFolders(): Promise<string[]> {
  return (await readdir(tmpdir())).filter((name) => name.startsWith("chapter-marks-"));
}

describe("audio/chapter-marks", () => {
  describe("ffmetadata", () => {
    it("writes FFMETADATA1 with a [CHAPTER] block per mark, in milliseconds, titles escaped", () => {
      expect(ffmetadata(MARKS)).to.equal(
        ";FFMETADATA1\n" +
          "[CHAPTER]\nTIMEBASE=1/1000\nSTART=0\nEND=1250\ntitle=Opening\n" +
          "[CHAPTER]\nTIMEBASE=1/1000\nSTART=1250\nEND=3000\ntitle=Part 2: A \\= B\\; \\#1 \\\\ end\\\nof line\n",
      );
    });

    it("rounds times to milliseconds", () => {
      const text = ffmetadata([{ title: "t", startSeconds: 1.0004, endSeconds: 61.2346 }]);
      expect(text).to.contain("\nSTART=1000\nEND=61235\n");
    });

    it("writes only the header for no marks", () => {
      expect(ffmetadata([])).to.equal(";FFMETADATA1\n");
    });

    it("rejects negative, non-finite and backwards times", () => {
      for (const [startSeconds, endSeconds] of [
        [-1, 1],
        [0, Number.NaN],
        [0, Number.POSITIVE_INFINITY],
        [2, 1],
      ] as const) {
        expect(() => ffmetadata([{ title: "t", startSeconds, endSeconds }])).to.throw(RangeError);
      }
    });
  });

  describe("writeChapteredAudio", () => {
    let dir: string;
    let masterPath: string;

    before(async () => {
      dir = await mkdtemp(join(tmpdir(), "chaptered-audio-test-"));
      masterPath = join(dir, "master.wav");
      await writeFile(masterPath, encodeWav(mono(RATE, sine({ freq: 220, seconds: SECONDS, sampleRate: RATE }))));
    });
    after(async () => {
      await rm(dir, { recursive: true, force: true });
    });

    const cases = [
      { format: "m4b", container: "mov,mp4,m4a,3gp,3g2,mj2", codecName: "aac" },
      { format: "mp3", container: "mp3", codecName: "mp3" },
    ] as const;
    for (const { format, container, codecName } of cases) {
      it(`writes ${format} (${codecName}) carrying both chapters with their titles and start times`, async () => {
        const outPath = join(dir, `book.${format}`);
        const foldersBefore = await metadataFolders();
        await writeChapteredAudio({ masterPath, marks: MARKS, outPath, format });

        const chapters = await probeChapters(outPath);
        expect(chapters.map((c) => c.title)).to.deep.equal(MARKS.map((m) => m.title));
        chapters.forEach((chapter, i) => expect(chapter.startSeconds).to.be.closeTo(MARKS[i]!.startSeconds, 0.05));
        const probed = await probeFile(outPath);
        expect(probed).to.include({ container, codecName, sampleRate: RATE, channels: 1 });
        expect(probed.durationSeconds).to.be.closeTo(SECONDS, 0.1);
        expect(await metadataFolders()).to.deep.equal(foldersBefore);
      });
    }

    it("tags mp3 chapters in ID3v2.3", async () => {
      const outPath = join(dir, "v23.mp3");
      await writeChapteredAudio({ masterPath, marks: MARKS, outPath, format: "mp3" });
      const head = await readFile(outPath);
      expect(head.toString("latin1", 0, 3)).to.equal("ID3");
      expect(head[3]).to.equal(3);
    });

    it("encodes at the bitrate asked for", async () => {
      const outPath = join(dir, "rate.m4b");
      await writeChapteredAudio({ masterPath, marks: MARKS, outPath, format: "m4b", bitrateKbps: 32 });
      expect((await probeFile(outPath)).bitRate).to.be.closeTo(32_000, 8_000);
    });

    it("fails with AudioToolError and leaves no output or metadata folder when the master is unreadable", async () => {
      const outPath = join(dir, "broken.m4b");
      await writeFile(outPath, "an older file");
      const foldersBefore = await metadataFolders();
      const error = await rejection<AudioToolError>(
        writeChapteredAudio({ masterPath: join(dir, "missing.wav"), marks: MARKS, outPath, format: "m4b" }),
      );
      expect(error).to.be.instanceOf(AudioToolError);
      expect(error.code).to.equal("AUDIO_TOOL_FAILED");
      expect(error.message).to.contain("write chaptered m4b");
      expect(await exists(outPath)).to.be.false;
      expect(await metadataFolders()).to.deep.equal(foldersBefore);
    });

    it("says ffmpeg is missing when its path does not exist", async () => {
      const error = await rejection<AudioToolError>(
        writeChapteredAudio({
          ffmpegPath: join(dir, "no-ffmpeg"),
          masterPath,
          marks: MARKS,
          outPath: join(dir, "none.mp3"),
          format: "mp3",
        }),
      );
      expect(error).to.be.instanceOf(AudioToolError);
      expect(error.code).to.equal("FFMPEG_NOT_FOUND");
    });

    it("rejects with the abort reason and leaves no output when aborted", async () => {
      const outPath = join(dir, "aborted.mp3");
      const reason = new Error("client went away");
      const error = await rejection(
        writeChapteredAudio({ masterPath, marks: MARKS, outPath, format: "mp3", signal: AbortSignal.abort(reason) }),
      );
      expect(error).to.equal(reason);
      expect(await exists(outPath)).to.be.false;
    });

    it("rejects invalid marks before running ffmpeg", async () => {
      const outPath = join(dir, "invalid.mp3");
      const marks = [{ title: "t", startSeconds: 2, endSeconds: 1 }];
      const error = await rejection(writeChapteredAudio({ masterPath, marks, outPath, format: "mp3" }));
      expect(error).to.be.instanceOf(RangeError);
      expect(await exists(outPath)).to.be.false;
    });
  });
});
