/**
 * The jobs store over a real database in a temp folder: inserts and lookups, list filters and paging, the
 * requeue of interrupted jobs, plans and finished segments with the job's counters kept in step, re-opening a
 * segment, the event log, and deletion cascading to segments and events.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "chai";
import { JobStore } from "../../../../src/services/jobs/job-store.js";
import type { ChunkOutcome } from "../../../../src/services/tts/segment-synthesizer.js";
import { openDatabase, type Db } from "../../../../src/storage/db/database.js";
import { newJob } from "../../../helpers/new-job.js";

const planned = (count: number) =>
  Array.from({ length: count }, (_, index) => ({
    text: `segment ${index}.`,
    displayText: `Segment ${index}.`,
    chapter: null,
    seed: 42,
  }));

/** A segment's outcome as the synthesizer reports it: one try, kept. */
const KEPT: ChunkOutcome = {
  tries: [
    { candidate: 0, attempt: 0, seed: 1, durationSeconds: 1, transcript: undefined, wer: undefined, error: undefined },
  ],
  chosen: 0,
  passed: undefined,
};

describe("services/jobs JobStore", () => {
  let dir: string;
  let db: Db;
  let store: JobStore;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), "job-store-"));
    db = openDatabase(dir);
    store = new JobStore(db);
  });
  afterEach(async () => {
    db.close();
    await rm(dir, { recursive: true, force: true });
  });

  it("inserts a queued job and reads back every field as submitted", () => {
    const submitted = {
      type: "tts",
      request: { text: "Hello.", temperature: 0.5 },
      project: "book",
      keyId: "key_1",
      seed: 7,
      chapters: "m4b",
      splitChapters: true,
      webhookUrl: "https://example.com/hook",
      webhookSecret: "s3cret",
    } as const;
    const inserted = store.insert(newJob("job_a", submitted), 1_000);
    expect(inserted).to.deep.equal(store.get("job_a"));
    expect(inserted).to.deep.include({
      ...submitted,
      id: "job_a",
      state: "queued",
      plan: null,
      segmentsTotal: 0,
      segmentsDone: 0,
      audioSeconds: 0,
      renderMs: 0,
      synthesis: null,
      warnings: [],
      versions: [],
      error: null,
      createdMs: 1_000,
      updatedMs: 1_000,
      finishedMs: null,
    });
    expect(store.get("job_missing")).to.equal(undefined);
  });

  describe("list", () => {
    beforeEach(() => {
      store.insert(newJob("job_1", { project: "a", keyId: "k1" }), 1_000);
      store.insert(newJob("job_2", { project: "b", keyId: "k1" }), 2_000);
      store.insert(newJob("job_3", { project: "a", keyId: "k2" }), 3_000);
      store.insert(newJob("job_4", { project: null, keyId: null }), 4_000);
      store.setState("job_2", "running");
      store.setState("job_3", "succeeded");
    });
    const ids = (filter: Parameters<JobStore["list"]>[0]) => store.list(filter).jobs.map((job) => job.id);

    it("lists newest first with the total, unfiltered", () => {
      expect(store.list({ limit: 50, offset: 0 })).to.deep.include({ total: 4 });
      expect(ids({ limit: 50, offset: 0 })).to.deep.equal(["job_4", "job_3", "job_2", "job_1"]);
    });

    it("filters by state, project and key, alone and together", () => {
      expect(ids({ state: "queued", limit: 50, offset: 0 })).to.deep.equal(["job_4", "job_1"]);
      expect(ids({ state: "running", limit: 50, offset: 0 })).to.deep.equal(["job_2"]);
      expect(ids({ project: "a", limit: 50, offset: 0 })).to.deep.equal(["job_3", "job_1"]);
      expect(ids({ keyId: "k1", limit: 50, offset: 0 })).to.deep.equal(["job_2", "job_1"]);
      expect(ids({ keyId: "k1", project: "a", limit: 50, offset: 0 })).to.deep.equal(["job_1"]);
      expect(ids({ keyId: "k2", state: "queued", limit: 50, offset: 0 })).to.deep.equal([]);
      expect(store.list({ project: "a", limit: 50, offset: 0 }).total).to.equal(2);
    });

    it("pages with limit and offset while the total counts every match", () => {
      expect(store.list({ limit: 2, offset: 0 })).to.deep.include({ total: 4 });
      expect(ids({ limit: 2, offset: 0 })).to.deep.equal(["job_4", "job_3"]);
      expect(ids({ limit: 2, offset: 2 })).to.deep.equal(["job_2", "job_1"]);
      expect(ids({ limit: 2, offset: 4 })).to.deep.equal([]);
      const page = store.list({ state: "queued", limit: 1, offset: 1 });
      expect(page.jobs.map((job) => job.id)).to.deep.equal(["job_1"]);
      expect(page.total).to.equal(2);
    });
  });

  it("gives the oldest queued job as the next to run", () => {
    store.insert(newJob("job_new"), 2_000);
    store.insert(newJob("job_old"), 1_000);
    expect(store.nextQueued()?.id).to.equal("job_old");
    store.setState("job_old", "running");
    expect(store.nextQueued()?.id).to.equal("job_new");
    store.setState("job_new", "paused");
    expect(store.nextQueued()).to.equal(undefined);
  });

  it("requeues only running jobs after an interruption", () => {
    const states = ["queued", "running", "paused", "succeeded", "failed", "cancelled"] as const;
    states.forEach((state, index) => {
      store.insert(newJob(`job_${state}`), index);
      if (state !== "queued") store.setState(`job_${state}`, state);
    });
    store.insert(newJob("job_running2"), 10);
    store.setState("job_running2", "running");
    expect(store.requeueInterrupted()).to.have.members(["job_running", "job_running2"]);
    expect(states.map((state) => store.get(`job_${state}`)!.state)).to.deep.equal([
      "queued",
      "queued",
      "paused",
      "succeeded",
      "failed",
      "cancelled",
    ]);
    expect(store.get("job_running2")!.state).to.equal("queued");
    expect(store.requeueInterrupted()).to.deep.equal([]);
  });

  it("sets finished_ms and the error only for end states", () => {
    store.insert(newJob("job_x"), 1_000);
    store.setState("job_x", "running", null, 2_000);
    expect(store.get("job_x")).to.deep.include({ state: "running", updatedMs: 2_000, finishedMs: null, error: null });
    store.setState("job_x", "failed", { code: "OVERLOADED", message: "busy" }, 3_000);
    expect(store.get("job_x")).to.deep.include({
      state: "failed",
      finishedMs: 3_000,
      error: { code: "OVERLOADED", message: "busy" },
    });
  });

  it("saves a plan with pending segments and the job's segment total", () => {
    store.insert(newJob("job_p"));
    store.savePlan("job_p", { soundWords: [], chapters: null }, [
      { text: "one.", displayText: "One.", chapter: 0, seed: 5 },
      { text: "two.", displayText: "Two.", chapter: 1, seed: 5 },
    ]);
    expect(store.get("job_p")).to.deep.include({
      plan: { soundWords: [], chapters: null },
      segmentsTotal: 2,
      segmentsDone: 0,
    });
    expect(store.segments("job_p")).to.deep.equal([
      {
        index: 0,
        text: "one.",
        displayText: "One.",
        chapter: 0,
        seed: 5,
        overrides: {},
        state: "pending",
        durationSeconds: null,
        outcome: null,
        renders: 0,
      },
      {
        index: 1,
        text: "two.",
        displayText: "Two.",
        chapter: 1,
        seed: 5,
        overrides: {},
        state: "pending",
        durationSeconds: null,
        outcome: null,
        renders: 0,
      },
    ]);
  });

  it("finishes segments and updates done count, audio seconds and render time together; synthesis is kept apart", () => {
    store.insert(newJob("job_f"));
    store.savePlan("job_f", null, planned(3));
    store.finishSegments(
      "job_f",
      [
        { index: 0, durationSeconds: 1.5, outcome: KEPT },
        { index: 1, durationSeconds: 2.25, outcome: null },
      ],
      100,
    );
    store.setSynthesis("job_f", { engine: "espeak" });
    expect(store.get("job_f")).to.deep.include({
      segmentsTotal: 3,
      segmentsDone: 2,
      audioSeconds: 3.75,
      renderMs: 100,
      synthesis: { engine: "espeak" },
    });
    // Finishing more keeps the synthesis facts; render time adds up.
    store.finishSegments("job_f", [{ index: 2, durationSeconds: 0.25, outcome: null }], 50);
    expect(store.get("job_f")).to.deep.include({
      segmentsDone: 3,
      audioSeconds: 4,
      renderMs: 150,
      synthesis: { engine: "espeak" },
    });
    const segments = store.segments("job_f");
    expect(segments.map((s) => [s.state, s.durationSeconds, s.renders])).to.deep.equal([
      ["done", 1.5, 1],
      ["done", 2.25, 1],
      ["done", 0.25, 1],
    ]);
    // Stored as JSON, so the unset (undefined) fields come back absent.
    expect(segments[0]!.outcome).to.deep.equal(JSON.parse(JSON.stringify(KEPT)));
  });

  it("leaves nothing changed when finishing segments fails part-way (one transaction)", () => {
    store.insert(newJob("job_t"));
    store.savePlan("job_t", null, planned(2));
    // A cyclic outcome cannot be stored: the second segment throws after the first was updated.
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(() =>
      store.finishSegments(
        "job_t",
        [
          { index: 0, durationSeconds: 1, outcome: null },
          { index: 1, durationSeconds: 1, outcome: cyclic as unknown as ChunkOutcome },
        ],
        10,
      ),
    ).to.throw();
    expect(store.get("job_t")).to.deep.include({ segmentsDone: 0, audioSeconds: 0, renderMs: 0 });
    expect(store.segments("job_t").map((s) => s.state)).to.deep.equal(["pending", "pending"]);
  });

  it("resets a segment: pending with new text, seed and overrides, counts recomputed, the job's state untouched", () => {
    store.insert(newJob("job_r"));
    store.savePlan("job_r", null, planned(3));
    store.setState("job_r", "running");
    store.finishSegments(
      "job_r",
      [0, 1, 2].map((index) => ({ index, durationSeconds: index + 1, outcome: KEPT })),
      300,
    );
    store.setSynthesis("job_r", { engine: "espeak" });
    store.setState("job_r", "succeeded", null, 5_000);
    expect(store.get("job_r")).to.deep.include({ segmentsDone: 3, audioSeconds: 6, finishedMs: 5_000 });

    const change = { text: "new words.", displayText: "New words.", seed: 99, overrides: { temperature: 0.4 } };
    store.resetSegment("job_r", 1, change);
    expect(store.get("job_r")).to.deep.include({
      state: "succeeded",
      segmentsTotal: 3,
      segmentsDone: 2,
      audioSeconds: 4,
      renderMs: 300,
      synthesis: { engine: "espeak" },
    });
    const [first, reopened, last] = store.segments("job_r");
    expect(reopened).to.deep.equal({
      index: 1,
      text: "new words.",
      displayText: "New words.",
      chapter: null,
      seed: 99,
      overrides: { temperature: 0.4 },
      state: "pending",
      durationSeconds: null,
      outcome: null,
      renders: 1,
    });
    expect([first!.state, last!.state]).to.deep.equal(["done", "done"]);
    store.finishSegments("job_r", [{ index: 1, durationSeconds: 0.5, outcome: null }], 20);
    expect(store.get("job_r")).to.deep.include({ segmentsDone: 3, audioSeconds: 4.5, renderMs: 320 });
    expect(store.segments("job_r")[1]!.renders).to.equal(2);
    // Without a change, a reset keeps text, seed and overrides (a segment spoken again to the same audio).
    store.resetSegment("job_r", 1);
    expect(store.segments("job_r")[1]).to.deep.include({
      state: "pending",
      text: "new words.",
      displayText: "New words.",
      seed: 99,
      overrides: { temperature: 0.4 },
    });
  });

  it("adds only new warnings and appends result versions", () => {
    store.insert(newJob("job_w"));
    expect(store.addWarnings("job_w", ["a", "b"])).to.deep.equal(["a", "b"]);
    expect(store.addWarnings("job_w", ["b", "c"])).to.deep.equal(["c"]);
    expect(store.get("job_w")!.warnings).to.deep.equal(["a", "b", "c"]);
    expect(store.addWarnings("job_missing", ["a"])).to.deep.equal([]);
    const version = (n: number) => ({
      version: n,
      created_at: "2026-01-01T00:00:00.000Z",
      duration_seconds: n,
      files: { wav: `x/v${n}.wav` },
      warnings: [],
    });
    store.addVersion("job_w", version(1));
    store.addVersion("job_w", version(2));
    expect(store.get("job_w")!.versions).to.deep.equal([version(1), version(2)]);
  });

  it("appends events in order and returns those after an id, per job", () => {
    store.insert(newJob("job_e1"));
    store.insert(newJob("job_e2"));
    const first = store.appendEvent("job_e1", "state", { state: "queued" });
    const other = store.appendEvent("job_e2", "state", { state: "queued" });
    const second = store.appendEvent("job_e1", "progress", { segments_done: 1 });
    const third = store.appendEvent("job_e1", "done", { state: "succeeded" });
    expect(first.id).to.be.below(second.id);
    expect(second.id).to.be.below(third.id);
    expect(store.eventsAfter("job_e1", 0)).to.deep.equal([first, second, third]);
    expect(store.eventsAfter("job_e1", first.id)).to.deep.equal([second, third]);
    expect(store.eventsAfter("job_e1", third.id)).to.deep.equal([]);
    expect(store.eventsAfter("job_e2", 0)).to.deep.equal([other]);
    expect(second).to.deep.equal({ id: second.id, type: "progress", data: { segments_done: 1 } });
  });

  it("deletes a job with its segments and events, and nothing of other jobs", () => {
    store.insert(newJob("job_d"));
    store.insert(newJob("job_keep"));
    store.savePlan("job_d", null, planned(2));
    store.savePlan("job_keep", null, planned(1));
    store.appendEvent("job_d", "state", { state: "queued" });
    store.appendEvent("job_keep", "state", { state: "queued" });
    store.delete("job_d");
    expect(store.get("job_d")).to.equal(undefined);
    expect(store.segments("job_d")).to.deep.equal([]);
    expect(store.eventsAfter("job_d", 0)).to.deep.equal([]);
    const count = (table: string) =>
      (db.prepare(`SELECT COUNT(*) AS n FROM ${table} WHERE job_id = ?`).get("job_d") as { n: number }).n;
    expect([count("job_segments"), count("job_events")]).to.deep.equal([0, 0]);
    expect(store.segments("job_keep")).to.have.length(1);
    expect(store.eventsAfter("job_keep", 0)).to.have.length(1);
  });
});
