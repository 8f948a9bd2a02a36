/**
 * Maintenance through HTTP (fake engine): 0-byte audio cleaned through the index, dry runs that delete
 * nothing, scratch files by age with live scratch folders kept, disk usage and its warnings, size limits
 * enforced with companions, the scheduler's status, and cleanup requests that are refused rather than
 * misread. Ages are set with utimes; nothing sleeps.
 */
import { access, mkdir, readdir, utimes, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { expect } from "chai";
import { FakeInferenceBackend } from "../../helpers/fake-inference-backend.js";
import { makeDataDir, startTestApp, type TestApp } from "../../helpers/test-app.js";

const DAY_MS = 86_400_000;
/** Companion facts that spare the index from probing our placeholder audio. */
const COMPANION = JSON.stringify({ generation_info: { duration_seconds: 1, sample_rate: 24000 } });

describe("maintenance through HTTP (fake engine)", function () {
  this.timeout(20_000);
  let app: TestApp | undefined;

  afterEach(async () => {
    await app?.dispose();
    app = undefined;
  });

  /** Writes `bytes` bytes at `path` (made `ageDays` old), optionally with a companion of the same age. */
  async function put(path: string, { bytes = 0, ageDays = 1, companion = true } = {}): Promise<void> {
    const stamp = new Date(Date.now() - ageDays * DAY_MS);
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, Buffer.alloc(bytes, 1));
    await utimes(path, stamp, stamp);
    if (companion) {
      await writeFile(`${path}.json`, COMPANION);
      await utimes(`${path}.json`, stamp, stamp);
    }
  }

  /** Starts the app over a data folder that `prepare` fills first, so the first index walk sees it all. */
  async function start(yaml = "", prepare: (paths: TestApp["config"]["paths"]) => Promise<void> = async () => {}) {
    const data = await makeDataDir(yaml);
    await prepare(data.config.paths);
    app = await startTestApp({ backend: new FakeInferenceBackend(), data });
    return app;
  }

  const api = (path: string, init?: RequestInit) => fetch(`${app!.baseUrl}/api/v1${path}`, init);
  const json = async (response: Response) => (await response.json()) as Record<string, any>;
  const cleanup = (body?: unknown) =>
    api("/cleanup", {
      method: "POST",
      ...(body === undefined ? {} : { headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) }),
    });
  const exists = (path: string) =>
    access(path).then(
      () => true,
      () => false,
    );
  const outputNames = async () => (await json(await api("/outputs"))).files.map((f: { path: string }) => f.path);

  async function withEmptyAudio(paths: TestApp["config"]["paths"]): Promise<void> {
    await put(join(paths.outputs, "book/empty.wav"));
    await put(join(paths.outputs, "good.wav"), { bytes: 500 });
    await put(join(paths.referenceAudio, "broken.wav"));
  }

  it("reports 0-byte audio in a dry run without deleting, then removes it with its companion", async () => {
    const { config } = await start("", withEmptyAudio);
    const dry = await cleanup({ dry_run: true });
    expect(dry.status, await dry.clone().text()).to.equal(200);
    const report = await json(dry);
    expect(report).to.include({ dry_run: true, forced: true, total_files_removed: 4 });
    const corrupted = report.actions.corrupted_files_cleanup;
    expect(corrupted).to.include({ files_removed: 4, directories_cleaned: 2 });
    expect(corrupted.details.outputs).to.deep.equal({
      deleted_files: ["book/empty.wav", "book/empty.wav.json"],
      errors: [],
      total_scanned: 2,
    });
    expect(corrupted.details.reference_audio.deleted_files).to.deep.equal(["broken.wav", "broken.wav.json"]);
    expect(await exists(join(config.paths.outputs, "book/empty.wav.json"))).to.equal(true);
    expect(await outputNames()).to.have.members(["book/empty.wav", "good.wav"]);

    const real = await json(await cleanup());
    expect(real).to.include({ dry_run: false, total_files_removed: 4 });
    expect(real.actions.corrupted_files_cleanup.details.outputs.deleted_files).to.include("book/empty.wav");
    expect(await outputNames()).to.deep.equal(["good.wav"]);
    expect((await json(await api("/voices"))).total_voices).to.equal(0);
    expect(await readdir(join(config.paths.outputs, "book"))).to.deep.equal([]);
    expect(await exists(join(config.paths.outputs, "good.wav.json"))).to.equal(true);
    expect(JSON.stringify(real)).not.to.include(config.paths.outputs);
  });

  it("leaves a 0-byte file written within the last minute for the next run", async () => {
    await start("", (paths) => put(join(paths.outputs, "copying.wav"), { ageDays: 0 }));
    const report = await json(await cleanup());
    expect(report.total_files_removed).to.equal(0);
    expect(await outputNames()).to.deep.equal(["copying.wav"]);
  });

  it("deletes old scratch files and emptied old scratch folders, never a fresh scratch folder", async () => {
    const { config } = await start("", async ({ temp }) => {
      await put(join(temp, "stray.tmp"), { bytes: 10, ageDays: 8, companion: false });
      await put(join(temp, "upload-old/part"), { bytes: 20, ageDays: 9, companion: false });
      await utimes(join(temp, "upload-old"), new Date(Date.now() - 9 * DAY_MS), new Date(Date.now() - 9 * DAY_MS));
      await put(join(temp, "tts-live/speech.wav"), { bytes: 30, ageDays: 8, companion: false });
    });
    const report = await json(await cleanup());
    expect(report.actions.temp_age_cleanup).to.deep.include({
      files_removed: 2,
      bytes_freed: 30,
      folders_removed: ["upload-old"],
      live_files_skipped: 1,
    });
    expect(report.actions.temp_age_cleanup.deleted_files).to.have.members(["stray.tmp", "upload-old/part"]);
    expect(await readdir(config.paths.temp)).to.deep.equal(["tts-live"]);
    expect(await readdir(join(config.paths.temp, "tts-live"))).to.deep.equal(["speech.wav"]);
  });

  it("reports disk usage with a warning when a limit is nearly reached, and deletes nothing for it", async () => {
    const yaml = "maintenance:\n  outputs_max_size_gb: 0.000001\n  temp_max_files: 2\n";
    await start(yaml, async (paths) => {
      await put(join(paths.outputs, "a.wav"), { bytes: 1500 });
      await put(join(paths.referenceAudio, "v.wav"), { bytes: 700 });
      await put(join(paths.temp, "x"), { bytes: 5, companion: false });
      await put(join(paths.temp, "y"), { bytes: 5, companion: false });
    });
    const resources = await json(await api("/resources"));
    expect(resources.directories.outputs).to.deep.equal({
      size_bytes: 1500,
      size_mb: 0,
      max_size_mb: 0,
      usage_percent: 139.7,
      file_count: 1,
    });
    expect(resources.directories.reference_audio).to.deep.equal({ size_bytes: 700, size_mb: 0, file_count: 1 });
    expect(resources.directories.temp).to.deep.include({ file_count: 2, max_files: 2, usage_percent: 100 });
    expect(resources.size_limits_enforced).to.equal(false);
    expect(resources.warnings).to.deep.equal([
      "outputs/ uses 139.7% of its 1.05 KB limit; nothing is deleted automatically while maintenance.enforce_size_limits is false",
      "temp/ holds 2 files, 100.0% of its limit of 2",
    ]);
    const report = await json(await cleanup());
    expect(report.actions.output_size_cleanup).to.include({ files_removed: 0, enforced: false, size_bytes: 1500 });
    expect(report.warnings).to.have.length(2);
    expect(await outputNames()).to.deep.equal(["a.wav"]);
  });

  it("with enforce_size_limits deletes the oldest outputs with their companions, never a companion alone", async () => {
    const yaml = "maintenance:\n  outputs_max_size_gb: 0.000002\n  enforce_size_limits: true\n";
    const { config } = await start(yaml, async ({ outputs }) => {
      await put(join(outputs, "old.wav"), { bytes: 1000, ageDays: 3 });
      await put(join(outputs, "mid.wav"), { bytes: 1000, ageDays: 2 });
      await put(join(outputs, "new.wav"), { bytes: 1000, ageDays: 1 });
      await writeFile(join(outputs, "orphan.wav.json"), COMPANION);
      await utimes(join(outputs, "orphan.wav.json"), new Date(0), new Date(0));
    });
    const dry = await json(await cleanup({ dry_run: true }));
    expect(dry.actions.output_size_cleanup.deleted_files).to.deep.equal(["old.wav", "old.wav.json"]);
    expect(await outputNames()).to.have.length(3);

    const real = await json(await cleanup({}));
    expect(real.actions.output_size_cleanup).to.deep.include({
      files_removed: 2,
      bytes_freed: 1000 + COMPANION.length,
      deleted_files: ["old.wav", "old.wav.json"],
      size_bytes: 3000,
      enforced: true,
    });
    expect(await outputNames()).to.have.members(["mid.wav", "new.wav"]);
    expect((await readdir(config.paths.outputs)).sort()).to.deep.equal([
      "mid.wav",
      "mid.wav.json",
      "new.wav",
      "new.wav.json",
      "orphan.wav.json",
    ]);
  });

  it("shows the scheduler and the history of runs", async () => {
    const { services } = await start("maintenance:\n  cleanup_interval_hours: 2\n");
    const before = Date.now();
    await services.maintenance.start();
    expect((await cleanup({ dry_run: true })).status).to.equal(200);
    const status = await json(await api("/cleanup/status"));
    expect(status.scheduler).to.include({
      running: true,
      cleanup_on_startup: true,
      cleanup_interval_hours: 2,
      cleanup_count: 1,
      cleanup_in_progress: false,
    });
    const next = Date.parse(status.scheduler.next_cleanup_time);
    expect(next).to.be.within(before + 2 * 3_600_000, Date.now() + 2 * 3_600_000);
    expect(status.history.map((run: any) => [run.trigger, run.dry_run])).to.deep.equal([
      ["startup", false],
      ["manual", true],
    ]);
    expect(status.history[0]).to.include({ total_files_removed: 0, errors: 0 });
  });

  it("refuses a cleanup request it would misread, and deletes nothing then", async () => {
    const { config } = await start("", withEmptyAudio);
    const invalid = await cleanup({ dry_run: "yes" });
    expect(invalid.status).to.equal(422);
    expect((await json(invalid)).detail[0].loc).to.deep.equal(["body", "dry_run"]);
    expect((await cleanup({ dryrun: true })).status).to.equal(422);
    const query = await api("/cleanup?dry_run=true", { method: "POST" });
    expect(query.status).to.equal(422);
    expect((await json(query)).error_code).to.equal("VALIDATION_ERROR");
    const form = await api("/cleanup", { method: "POST", body: new URLSearchParams({ dry_run: "true" }) });
    expect(form.status).to.equal(415);
    expect((await api("/cleanup", { method: "GET" })).status).to.equal(405);
    expect(await exists(join(config.paths.outputs, "book/empty.wav"))).to.equal(true);
  });
});
