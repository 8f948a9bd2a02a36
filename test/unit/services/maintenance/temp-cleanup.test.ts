/** The scratch-root cleanup on a real folder: ages are set with utimes, the clock is injected. */
import { mkdir, mkdtemp, readdir, rm, utimes, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "chai";
import { cleanTemp } from "../../../../src/services/maintenance/temp-cleanup.js";

const DAY = 86_400_000;

describe("cleanTemp", () => {
  let root: string;
  const now = Date.now();

  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), "temp-cleanup-"));
  });
  afterEach(() => rm(root, { recursive: true, force: true }));

  async function put(path: string, ageDays: number, bytes = 10): Promise<void> {
    await mkdir(join(root, path, ".."), { recursive: true });
    await writeFile(join(root, path), Buffer.alloc(bytes));
    await age(path, ageDays);
  }
  const age = (path: string, days: number) =>
    utimes(join(root, path), new Date(now - days * DAY), new Date(now - days * DAY));
  const limits = { nowMs: now, maxAgeMs: 7 * DAY, maxFiles: 100 };

  async function scenario(): Promise<void> {
    await put("stray.tmp", 9, 100);
    await put("upload-old/part.bin", 10, 50);
    await age("upload-old", 10);
    await put("tts-live/speech.wav", 30, 70); // an old file in a scratch folder a request may still use
  }

  it("reports in a dry run exactly what it would delete, and deletes nothing", async () => {
    await scenario();
    const { age: aged, count } = await cleanTemp(root, limits, true);
    expect(aged.deleted_files).to.have.members(["stray.tmp", "upload-old/part.bin"]);
    expect(aged).to.include({ files_removed: 2, bytes_freed: 150, live_files_skipped: 1, max_age_days: 7 });
    expect(aged.folders_removed).to.deep.equal(["upload-old"]);
    expect(count).to.include({ files_removed: 0, file_count: 3, max_files: 100 });
    expect((await readdir(root)).sort()).to.deep.equal(["stray.tmp", "tts-live", "upload-old"]);
  });

  it("deletes old files and emptied old folders, and leaves a fresh scratch folder alone", async () => {
    await scenario();
    const { age: aged } = await cleanTemp(root, limits, false);
    expect(aged.files_removed).to.equal(2);
    expect(aged.errors).to.deep.equal([]);
    expect(await readdir(root)).to.deep.equal(["tts-live"]);
    expect(await readdir(join(root, "tts-live"))).to.deep.equal(["speech.wav"]);
  });

  it("keeps only the newest max_files files", async () => {
    for (let day = 1; day <= 5; day += 1) await put(`f${day}`, day);
    const { count } = await cleanTemp(root, { ...limits, maxFiles: 2 }, false);
    expect(count.deleted_files).to.deep.equal(["f5", "f4", "f3"]);
    expect((await readdir(root)).sort()).to.deep.equal(["f1", "f2"]);
  });

  it("treats a missing scratch root as empty", async () => {
    const { age: aged, count } = await cleanTemp(join(root, "never-made"), limits, false);
    expect(aged.files_removed + count.files_removed + count.file_count).to.equal(0);
  });
});
