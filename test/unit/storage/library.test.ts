/**
 * The library's own schedule: cheap rescans on its timer, a complete walk when ten minutes have passed since
 * the last one (the only scan that sees a file rewritten in place), and nothing armed once stopped. The
 * timer and the clock are Node's mock timers, so each scan happens exactly when the test ticks the clock.
 */
import { mkdir, mkdtemp, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { mock } from "node:test";
import { expect } from "chai";
import { pino } from "pino";
import { openDatabase, type Db } from "../../../src/storage/db/database.js";
import { Library } from "../../../src/storage/library/library.js";
import type { LibraryKind } from "../../../src/storage/library/library-entry.js";

const RESCAN_MS = 15_000;
const TEN_MINUTES_MS = 10 * 60_000;

const outputCompanion = (text: string) =>
  JSON.stringify({ parameters: { text }, generation_info: { duration_seconds: 1, sample_rate: 24000 } });

describe("storage/library periodic scans", () => {
  let dir: string;
  let roots: Record<LibraryKind, string>;
  let db: Db;
  let library: Library;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), "library-timer-test-"));
    roots = { voices: join(dir, "voices"), vc_inputs: join(dir, "vc_inputs"), outputs: join(dir, "outputs") };
    await Promise.all(Object.values(roots).map((root) => mkdir(root)));
    db = openDatabase(join(dir, "data"));
    mock.timers.enable({ apis: ["setTimeout", "Date"], now: Date.now() });
    library = new Library({
      db,
      roots,
      rescanIntervalMs: RESCAN_MS,
      log: pino({ level: "silent" }),
      probe: async () => ({ durationSeconds: 1, sampleRate: 24000 }),
    });
  });

  afterEach(async () => {
    await library.stop();
    mock.timers.reset();
    db.close();
    await rm(dir, { recursive: true, force: true });
  });

  it("catches a file rewritten in place, which cheap rescans cannot see, at the complete walk due every 10 minutes", async () => {
    const take = join(roots.outputs, "book/take.wav");
    await mkdir(dirname(take));
    await writeFile(take, Buffer.alloc(100, 1));
    await writeFile(`${take}.json`, outputCompanion("first take"));
    await library.start();
    const indexed = () => library.stores.outputs.get("book/take.wav");

    const folderMtime = (await stat(dirname(take))).mtimeMs;
    await writeFile(take, Buffer.alloc(300, 1));
    await writeFile(`${take}.json`, outputCompanion("second take"));
    expect((await stat(dirname(take))).mtimeMs, "a rewrite in place leaves the folder's mtime alone").to.equal(
      folderMtime,
    );

    mock.timers.tick(RESCAN_MS);
    // Waits for the rescan the timer began, then runs one more: neither looks inside an unchanged folder.
    await library.rescan();
    expect(indexed()).to.include({ sizeBytes: 100 });
    expect(indexed()?.companion?.parameters).to.deep.equal({ text: "first take" });

    mock.timers.tick(TEN_MINUTES_MS);
    await library.stop(); // resolves once the scan the timer began has finished
    expect(indexed()).to.include({ sizeBytes: 300 });
    expect(indexed()?.companion?.parameters).to.deep.equal({ text: "second take" });
  });

  it("stops for good: a scan running when stop() is called arms no further rescan", async () => {
    await library.start();
    let finishScan!: () => void;
    const gate = new Promise<void>((resolve) => (finishScan = resolve));
    const held = library.stores.voices.exclusive(() => gate);
    mock.timers.tick(RESCAN_MS); // the timer's rescan begins and waits for the voices library's lock
    const stopping = library.stop();
    finishScan();
    await Promise.all([held, stopping]);

    await writeFile(join(roots.voices, "late.wav"), Buffer.alloc(100, 1));
    mock.timers.tick(RESCAN_MS);
    await library.stop(); // would wait for a rescan, had one been armed and begun
    expect(library.stores.voices.get("late.wav")).to.equal(undefined);
  });
});
