import { mkdir, mkdtemp, rm, symlink, utimes, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "chai";
import { pino } from "pino";
import { openDatabase, type Db } from "../../../src/storage/db/database.js";
import { LibraryIndex, type LibraryQuery } from "../../../src/storage/library/library-index.js";
import { LibraryScanner } from "../../../src/storage/library/library-scanner.js";

const all: LibraryQuery = { sortBy: "filename", sortOrder: "asc" };

describe("storage/library scanner and index", () => {
  let dir: string;
  let root: string;
  let db: Db;
  let index: LibraryIndex;
  let probed: string[];
  let scanner: LibraryScanner;

  const put = async (path: string, content = "RIFF audio bytes", companion?: unknown) => {
    await mkdir(join(root, path, ".."), { recursive: true });
    await writeFile(join(root, path), content);
    if (companion !== undefined) {
      await writeFile(
        join(root, `${path}.json`),
        typeof companion === "string" ? companion : JSON.stringify(companion),
      );
    }
  };
  const paths = (query: Partial<LibraryQuery> = {}) =>
    index.query("voices", { ...all, ...query }).items.map((e) => e.path);

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), "library-test-"));
    root = join(dir, "voices");
    await mkdir(root);
    db = openDatabase(join(dir, "data"));
    index = new LibraryIndex(db);
    probed = [];
    scanner = new LibraryScanner({
      kind: "voices",
      root,
      index,
      log: pino({ level: "silent" }),
      probe: async (path) => {
        probed.push(path.slice(root.length + 1));
        return { durationSeconds: 2.5, sampleRate: 24000 };
      },
    });
    await put("anna.wav", "RIFF", {
      name: "Anna",
      description: "warm narrator",
      tags: ["narrator", "warm"],
      duration_seconds: 4,
      sample_rate: 48000,
      usage_count: 3,
    });
    await put("characters/bob.wav");
    await put("characters/villains/eve.mp3", "ID3", "{ not json");
    await put(".partial-upload.wav");
    await put("characters/notes.txt");
    await mkdir(join(root, "empty/category"), { recursive: true });
  });

  afterEach(async () => {
    db.close();
    await rm(dir, { recursive: true, force: true });
  });

  it("indexes audio files with their companions, probes only what the companion lacks, and skips the rest", async () => {
    const report = await scanner.fullScan();
    expect(report.filesIndexed).to.equal(3);
    expect(paths()).to.deep.equal(["anna.wav", "characters/bob.wav", "characters/villains/eve.mp3"]);
    expect(probed).to.have.members(["characters/bob.wav", "characters/villains/eve.mp3"]);
    const anna = index.get("voices", "anna.wav")!;
    expect(anna).to.include({ name: "Anna", durationSeconds: 4, sampleRate: 48000, usageCount: 3, warning: null });
    expect(anna.tags).to.deep.equal(["narrator", "warm"]);
    const eve = index.get("voices", "characters/villains/eve.mp3")!;
    expect(eve.warning).to.include("not valid JSON");
    expect(eve).to.include({ name: "eve", durationSeconds: 2.5 });
    expect(index.folders("voices")).to.deep.equal([
      { path: "", fileCount: 1 },
      { path: "characters", fileCount: 1 },
      { path: "characters/villains", fileCount: 1 },
      { path: "empty", fileCount: 0 },
      { path: "empty/category", fileCount: 0 },
    ]);
  });

  it("re-reads nothing on a warm start, and picks up only what changed on disk", async () => {
    await scanner.fullScan();
    probed = [];
    expect((await scanner.fullScan()).filesIndexed).to.equal(0);
    expect(probed).to.deep.equal([]);

    await put("characters/carl.wav");
    await rm(join(root, "anna.wav"));
    await rm(join(root, "anna.wav.json"));
    await writeFile(join(root, "characters/bob.wav.json"), JSON.stringify({ name: "Bobby" }));
    const later = new Date(Date.now() + 5_000); // a folder whose entries changed gets a new mtime
    await utimes(join(root, "characters"), later, later);
    const report = await scanner.rescan();
    expect(report).to.include({ filesRemoved: 1 });
    expect(paths()).to.deep.equal(["characters/bob.wav", "characters/carl.wav", "characters/villains/eve.mp3"]);
    expect(index.get("voices", "characters/bob.wav")?.name).to.equal("Bobby");
    await rm(join(root, "characters"), { recursive: true });
    await scanner.rescan();
    expect(paths()).to.deep.equal([]);
    expect(index.folders("voices").map((f) => f.path)).to.deep.equal(["", "empty", "empty/category"]);
  });

  it("follows a symbolic link only to a file inside the library, never a linked folder (which could loop)", async () => {
    await symlink(join(root, "anna.wav"), join(root, "alias.wav"));
    await writeFile(join(dir, "outside.wav"), "RIFF");
    await symlink(join(dir, "outside.wav"), join(root, "outside-link.wav"));
    await symlink(dir, join(root, "loop"));
    await scanner.fullScan();
    expect(paths()).to.deep.equal(["alias.wav", "anna.wav", "characters/bob.wav", "characters/villains/eve.mp3"]);
    expect(index.folders("voices").map((f) => f.path)).to.not.include("loop");
  });

  it("filters by folder (with everything below it), search, tag and names; sorts and pages", async () => {
    await scanner.fullScan();
    expect(paths({ folder: "characters" })).to.deep.equal(["characters/bob.wav", "characters/villains/eve.mp3"]);
    expect(paths({ folder: "character" })).to.deep.equal([]);
    expect(paths({ search: "NARRATOR" })).to.deep.equal(["anna.wav"]);
    expect(paths({ search: "villains" })).to.deep.equal(["characters/villains/eve.mp3"]);
    expect(paths({ search: "50%_" })).to.deep.equal([]);
    expect(paths({ tag: "warm" })).to.deep.equal(["anna.wav"]);
    expect(paths({ filenames: ["bob.wav", "anna.wav"] })).to.deep.equal(["anna.wav", "characters/bob.wav"]);
    expect(paths({ sortBy: "usage_count", sortOrder: "desc" })[0]).to.equal("anna.wav");
    const page = index.query("voices", { ...all, page: 2, pageSize: 2 });
    expect(page.total).to.equal(3);
    expect(page.items.map((e) => e.path)).to.deep.equal(["characters/villains/eve.mp3"]);
  });
});
