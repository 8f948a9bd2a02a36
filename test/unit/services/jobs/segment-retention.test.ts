/** Segment audio retention over a real store and work folders: removed once a finished job is old enough. */
import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "chai";
import { createRootLogger } from "../../../../src/logging.js";
import { JobStore } from "../../../../src/services/jobs/job-store.js";
import { JobWorkspace } from "../../../../src/services/jobs/job-workspace.js";
import { SegmentRetention } from "../../../../src/services/jobs/segment-retention.js";
import { openDatabase, type Db } from "../../../../src/storage/db/database.js";
import { newJob } from "../../../helpers/new-job.js";

const HOUR = 3_600_000;
const PCM = { sampleRate: 24000, samples: new Float32Array([0.1, -0.2, 0.3]) };

describe("services/jobs SegmentRetention", () => {
  let dir: string;
  let db: Db;
  let store: JobStore;
  let workspace: JobWorkspace;
  let now: number;
  let retention: SegmentRetention;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), "segment-retention-"));
    db = openDatabase(dir);
    store = new JobStore(db);
    workspace = new JobWorkspace(join(dir, "jobs"));
    now = 10 * HOUR;
    retention = new SegmentRetention({
      store,
      workspace,
      keepMs: 2 * HOUR,
      log: createRootLogger("silent"),
      now: () => now,
    });
  });
  afterEach(async () => {
    db.close();
    await rm(dir, { recursive: true, force: true });
  });

  async function finishedJob(id: string, state: "succeeded" | "running", finishedAt: number): Promise<void> {
    store.insert(newJob(id));
    await workspace.saveSegment(id, 0, PCM);
    store.setState(id, state, null, finishedAt);
  }

  it("removes the audio of jobs that ended longer ago than the retention, once, and keeps the others", async () => {
    await finishedJob("job_old", "succeeded", now - 3 * HOUR);
    await finishedJob("job_recent", "succeeded", now - HOUR);
    await finishedJob("job_running", "running", now - 5 * HOUR);
    await retention.prune();
    expect(await workspace.hasSegment("job_old", 0)).to.equal(false);
    expect(await workspace.hasSegment("job_recent", 0)).to.equal(true);
    expect(await workspace.hasSegment("job_running", 0)).to.equal(true);
    expect(store.keptSegmentsFinishedBefore(now)).to.deep.equal(["job_recent"]);
    expect(existsSync(join(dir, "jobs", "job_old.discarded"))).to.equal(false);

    now += 2 * HOUR;
    await retention.prune();
    expect(await workspace.hasSegment("job_recent", 0)).to.equal(false);
  });

  it("applies afresh to a job that ran again (a re-render writes its audio again)", async () => {
    await finishedJob("job_again", "succeeded", now - 3 * HOUR);
    await retention.prune();
    store.setState("job_again", "running");
    await workspace.saveSegment("job_again", 0, PCM);
    store.setState("job_again", "succeeded", null, now);
    await retention.prune();
    expect(await workspace.hasSegment("job_again", 0)).to.equal(true);
    now += 3 * HOUR;
    await retention.prune();
    expect(await workspace.hasSegment("job_again", 0)).to.equal(false);
  });

  it("checks nothing after a stop, even when the start's removal of old folders ends after it", async () => {
    let release!: () => void;
    const removal = new Promise<void>((resolve) => (release = resolve));
    let checks = 0;
    const store = {
      keptSegmentsFinishedBefore: () => {
        checks += 1;
        return [];
      },
    };
    const stopped = new SegmentRetention({
      store: store as unknown as JobStore,
      workspace: { removeDiscarded: () => removal } as unknown as JobWorkspace,
      keepMs: HOUR,
      log: createRootLogger("silent"),
    });
    stopped.start();
    const stopping = stopped.stop();
    release();
    await stopping;
    await new Promise((resolve) => setImmediate(resolve));
    // A short-lived app has closed its database by then: such a check threw and ended the process.
    expect(checks).to.equal(0);
  });
});
