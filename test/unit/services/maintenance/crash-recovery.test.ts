/** Startup recovery removes a crashed run's scratch folders and half-written files, and nothing else. */
import { expect } from "chai";
import { mkdir, mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { removeCrashLeftovers } from "../../../../src/services/maintenance/crash-recovery.js";
import { makeScratchDir } from "../../../../src/storage/scratch.js";

async function tree(root: string): Promise<string[]> {
  const found = await readdir(root, { recursive: true, withFileTypes: true });
  return found.map((entry) => relative(root, join(entry.parentPath, entry.name))).sort();
}

describe("removeCrashLeftovers", () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), "crash-recovery-"));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it("removes the server's own scratch folders and .partial files, keeping everything else", async () => {
    const temp = join(dir, "temp");
    const outputs = join(dir, "outputs");
    const scratch = await makeScratchDir(temp, "out-");
    await writeFile(join(scratch, "master.wav"), "half");
    await makeScratchDir(temp, "upload-");
    await mkdir(join(temp, "out-not-ours-at-all"), { recursive: true });
    await mkdir(join(temp, "notes"), { recursive: true });
    await mkdir(join(outputs, "book", "ch1"), { recursive: true });
    await writeFile(join(outputs, "book", "ch1", "a.wav"), "audio");
    await writeFile(join(outputs, "book", "ch1", ".a.wav.json.0123abcd.partial"), "cut off");
    await writeFile(join(outputs, ".b.mp3.deadbeef.partial"), "cut off");
    await writeFile(join(outputs, ".keep"), "");
    await writeFile(join(outputs, "c.partial"), "a user's file that only looks similar");

    const removed = await removeCrashLeftovers(temp, [outputs, join(dir, "absent")]);

    expect(removed).to.deep.equal({ scratchFolders: 2, partialFiles: 2 });
    expect(await tree(temp)).to.deep.equal(["notes", "out-not-ours-at-all"]);
    expect(await tree(outputs)).to.deep.equal([".keep", "book", "book/ch1", "book/ch1/a.wav", "c.partial"]);
  });

  it("finds nothing to do in folders that do not exist yet (a first start)", async () => {
    expect(await removeCrashLeftovers(join(dir, "temp"), [join(dir, "outputs")])).to.deep.equal({
      scratchFolders: 0,
      partialFiles: 0,
    });
  });
});
