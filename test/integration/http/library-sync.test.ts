/**
 * The library index kept in step with the disk while the server runs (fake engine): files other programs
 * add, change or remove in outputs/ and reference_audio/ appear, change and disappear in the listings after
 * the periodic rescan, without a restart; listings answer 503 while a library's first walk is in progress;
 * the scheduled cleanup removes 0-byte audio that appeared after start. The server's own timers run at short
 * intervals and the tests poll the API until the change shows, never sleeping in place of a condition.
 *
 * Each change reaches a library folder as one directory operation (a rename from a staging folder beside the
 * roots), as copies made by atomic writers and `mv` do: the rescan notices a change by its folder's
 * modification time, so two operations in one folder within one clock tick of the file system could be
 * seen half done. Files rewritten in place are caught by the complete walk (test/unit/storage/library.test.ts).
 */
import { access, mkdir, rename, rm, utimes, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { setTimeout as delay } from "node:timers/promises";
import { expect } from "chai";
import { createJobRequestParsers } from "../../../src/http/schemas/job-request.js";
import { createRootLogger } from "../../../src/logging.js";
import { createServices, type Services } from "../../../src/services/create-services.js";
import { expectError } from "../../helpers/error-body.js";
import { FakeInferenceBackend } from "../../helpers/fake-inference-backend.js";
import { appOver, makeDataDir, readySource, startTestApp, type TestApp } from "../../helpers/test-app.js";
import { serve, type TestServer } from "../../helpers/test-server.js";

type Json = Record<string, any>;

const DAY_MS = 86_400_000;
/** The shortest rescan interval the configuration allows. */
const RESCAN_EVERY_SECOND = "library:\n  rescan_interval_seconds: 1\n";
/** How long a condition is polled for before the test fails saying what it waited for. */
const PATIENCE_MS = 60_000;

/** An output's companion with the audio facts (so our placeholder audio is never probed) and its parameters. */
const outputCompanion = (text: string) =>
  JSON.stringify({ parameters: { text }, generation_info: { duration_seconds: 1, sample_rate: 24000 } });
const voiceCompanion = (name: string, description: string) =>
  JSON.stringify({ name, description, duration_seconds: 5, sample_rate: 24000 });

/** Writes an audio placeholder of `bytes` bytes and its companion, both dated `ageMs` back. */
async function putAudio(path: string, companion: string, { bytes = 64, ageMs = DAY_MS } = {}): Promise<void> {
  const stamp = new Date(Date.now() - ageMs);
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, Buffer.alloc(bytes, 1));
  await writeFile(`${path}.json`, companion);
  await utimes(path, stamp, stamp);
  await utimes(`${path}.json`, stamp, stamp);
}

const byPath = (a: string[], b: string[]) => a[0].localeCompare(b[0]);

const exists = (path: string) =>
  access(path).then(
    () => true,
    () => false,
  );

/** Polls `probe` until it reports done; fails after PATIENCE_MS naming `what` and the last answer seen. */
async function until<T>(what: string, probe: () => Promise<{ done: T } | { seen: unknown }>): Promise<T> {
  const deadline = Date.now() + PATIENCE_MS;
  for (;;) {
    const outcome = await probe();
    if ("done" in outcome) return outcome.done;
    if (Date.now() > deadline)
      throw new Error(`gave up waiting for ${what}; last seen: ${JSON.stringify(outcome.seen)}`);
    await delay(50);
  }
}

describe("library index in step with the disk (fake engine)", function () {
  this.timeout(PATIENCE_MS * 2);
  let app: TestApp | undefined;

  afterEach(async () => {
    await app?.dispose();
    app = undefined;
  });

  const getJson = async (path: string): Promise<Json> => {
    const response = await fetch(`${app!.baseUrl}/api/v1${path}`);
    expect(response.status, path).to.equal(200);
    return (await response.json()) as Json;
  };
  /** A folder outside the library roots on the same file system, where changes are prepared. */
  const staging = (path: string) => join(app!.dir, "staging", path);

  it("shows files that other programs add, change and remove after the periodic rescan, without a restart", async () => {
    const data = await makeDataDir(RESCAN_EVERY_SECOND);
    const { outputs, referenceAudio } = data.config.paths;
    await putAudio(join(outputs, "drafts/old.wav"), outputCompanion("an old draft"));
    await putAudio(join(outputs, "podcast/ep1.wav"), outputCompanion("first take"));
    await putAudio(join(referenceAudio, "narrators/anna.wav"), voiceCompanion("Anna", "warm"));
    await putAudio(join(referenceAudio, "retired/bob.wav"), voiceCompanion("Bob", "gravel"));
    app = await startTestApp({ backend: new FakeInferenceBackend(), data });
    const outputPaths = async () => ((await getJson("/outputs")).files as Json[]).map((f) => f.path);
    expect(await outputPaths()).to.have.members(["drafts/old.wav", "podcast/ep1.wav"]);

    // Added: a whole folder moved in. Changed: a companion replaced by rename. Removed: audio, then companion.
    await putAudio(staging("chapter2/new.wav"), outputCompanion("a new chapter"));
    await rename(staging("chapter2"), join(outputs, "chapter2"));
    await writeFile(staging("ep1.wav.json"), outputCompanion("second take"));
    await rename(staging("ep1.wav.json"), join(outputs, "podcast/ep1.wav.json"));
    await rm(join(outputs, "drafts/old.wav"));
    await rm(join(outputs, "drafts/old.wav.json"));
    await putAudio(staging("guests/carl.wav"), voiceCompanion("Carl", "bright"));
    await rename(staging("guests"), join(referenceAudio, "guests"));
    await writeFile(staging("anna.wav.json"), voiceCompanion("Anna", "warm, now also whispering"));
    await rename(staging("anna.wav.json"), join(referenceAudio, "narrators/anna.wav.json"));
    await rm(join(referenceAudio, "retired/bob.wav"));
    await rm(join(referenceAudio, "retired/bob.wav.json"));

    const expected = {
      outputs: [
        ["chapter2/new.wav", "a new chapter"],
        ["podcast/ep1.wav", "second take"],
      ],
      voices: [
        ["guests/carl.wav", "Carl", "bright"],
        ["narrators/anna.wav", "Anna", "warm, now also whispering"],
      ],
    };
    await until("the listings to show the changes made on disk", async () => {
      const outputs = ((await getJson("/outputs")).files as Json[]).map((f) => [f.path, f.parameters.text]);
      const voices = ((await getJson("/voices")).voices as Json[]).map((v) => [v.path, v.name, v.description]);
      const seen = { outputs: outputs.sort(byPath), voices: voices.sort(byPath) };
      return JSON.stringify(seen) === JSON.stringify(expected) ? { done: seen } : { seen };
    });
    const folders = ((await getJson("/outputs/folders")).folders as Json[]).map((f) => f.path);
    expect(folders).to.include("chapter2");
  });

  it("removes 0-byte audio that appears after start at the next scheduled cleanup, and reports the run", async () => {
    // About 1.8 s between cleanups; no startup run, so every run in the history is a scheduled one.
    const yaml = `${RESCAN_EVERY_SECOND}maintenance:\n  cleanup_on_startup: false\n  cleanup_interval_hours: 0.0005\n`;
    const data = await makeDataDir(yaml);
    const { outputs } = data.config.paths;
    await putAudio(join(outputs, "good.wav"), outputCompanion("kept"));
    app = await startTestApp({ backend: new FakeInferenceBackend(), data });
    // main.ts starts the schedule once the library index is ready; startTestApp leaves that to the test.
    await app.services.maintenance.start();

    // Dated a day back: a 0-byte file modified within the last minute may still be being copied, and waits.
    await putAudio(staging("book/empty.wav"), outputCompanion("an interrupted copy"), { bytes: 0 });
    await rename(staging("book"), join(outputs, "book"));

    const run = await until("a scheduled cleanup that removes the 0-byte file", async () => {
      const status = await getJson("/cleanup/status");
      const removing = (status.history as Json[]).find((entry) => entry.total_files_removed > 0);
      return removing ? { done: removing } : { seen: status };
    });
    expect(run).to.include({ trigger: "scheduled", dry_run: false, total_files_removed: 2, errors: 0 });
    expect(await exists(join(outputs, "book/empty.wav"))).to.equal(false);
    expect(await exists(join(outputs, "book/empty.wav.json"))).to.equal(false);
    expect(((await getJson("/outputs")).files as Json[]).map((f) => f.path)).to.deep.equal(["good.wav"]);
    const { scheduler } = await getJson("/cleanup/status");
    expect(scheduler).to.include({ running: true, cleanup_on_startup: false });
    expect(scheduler.cleanup_count).to.be.at.least(1);
    expect(scheduler.last_cleanup_time).to.be.a("string");
  });
});

describe("listings while a library's first walk is in progress (fake engine)", function () {
  this.timeout(PATIENCE_MS);
  let dir: string;
  let services: Services;
  let server: TestServer;

  /** Served before the library is walked, as main.ts serves: listening comes first, the walk follows. */
  before(async () => {
    const data = await makeDataDir();
    dir = data.dir;
    await putAudio(join(data.config.paths.outputs, "book/take.wav"), outputCompanion("a take"));
    const backend = new FakeInferenceBackend();
    const log = createRootLogger("silent");
    services = createServices(data.config, backend, log, createJobRequestParsers(data.config));
    server = await serve(appOver(data.config, services, await readySource(backend), log));
  });

  after(async () => {
    await server?.close();
    await services?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it("answers 503 with Retry-After until the walk is complete, then lists the files", async () => {
    // Each walk runs under its library's lock: holding the locks keeps the first walk in progress.
    let finishWalks!: () => void;
    const held = new Promise<void>((resolve) => (finishWalks = resolve));
    const locks = Object.values(services.library.stores).map((store) => store.exclusive(() => held));
    const firstWalk = services.library.start();

    for (const path of ["/outputs", "/outputs/folders", "/voices", "/vc_inputs"]) {
      const response = await fetch(`${server.baseUrl}/api/v1${path}`);
      expect(response.headers.get("retry-after"), path).to.equal("5");
      const body = await expectError(response, 503, "INDEX_BUILDING");
      expect(body.error).to.match(/index is being built/);
    }
    expect(services.library.status().state).to.equal("indexing");

    finishWalks();
    await Promise.all([...locks, firstWalk]);
    const response = await fetch(`${server.baseUrl}/api/v1/outputs`);
    expect(response.status).to.equal(200);
    const listing = (await response.json()) as Json;
    expect(listing.files.map((f: Json) => f.path)).to.deep.equal(["book/take.wav"]);
    expect(services.library.status().state).to.equal("ready");
  });
});
