import { expect } from "chai";
import { planTempCleanup, type TempLimits } from "../../../../src/services/maintenance/temp-plan.js";
import type { TempSnapshot } from "../../../../src/services/maintenance/temp-walk.js";

const DAY = 86_400_000;
const NOW = Date.UTC(2026, 0, 31);
const daysAgo = (days: number) => NOW - days * DAY;
const limits = (maxFiles = 100): TempLimits => ({ nowMs: NOW, maxAgeMs: 7 * DAY, maxFiles });
const entry = (path: string, ageDays: number, sizeBytes = 10) => ({ path, sizeBytes, mtimeMs: daysAgo(ageDays) });
const paths = (files: Array<{ path: string }>) => files.map((f) => f.path);

function snapshot(partial: Partial<TempSnapshot>): TempSnapshot {
  return { files: [], folders: [], unreadable: [], ...partial };
}

describe("planTempCleanup", () => {
  it("removes files older than the age limit and the old folders they leave empty, deepest first", () => {
    const plan = planTempCleanup(
      snapshot({
        files: [entry("stray.tmp", 9), entry("fresh.tmp", 1), entry("tts-old/speech.wav", 8)],
        folders: [entry("tts-old", 8), entry("old-empty", 30), entry("old-empty/deeper", 30)],
      }),
      limits(),
    );
    expect(paths(plan.byAge)).to.have.members(["stray.tmp", "tts-old/speech.wav"]);
    expect(plan.byCount).to.deep.equal([]);
    expect(plan.folders).to.deep.equal(["old-empty/deeper", "old-empty", "tts-old"]);
  });

  it("never touches a scratch folder younger than the age limit, not even its old files or subfolders", () => {
    const plan = planTempCleanup(
      snapshot({
        files: [entry("upload-live/part.bin", 30), entry("upload-live/sub/x", 30)],
        folders: [entry("upload-live", 0), entry("upload-live/sub", 30)],
      }),
      limits(1),
    );
    expect(plan.byAge).to.deep.equal([]);
    expect(plan.byCount).to.deep.equal([]);
    expect(plan.folders).to.deep.equal([]);
    expect(plan.liveFiles).to.equal(2);
  });

  it("keeps a folder that still holds a file, and the folders above it", () => {
    const plan = planTempCleanup(
      snapshot({
        files: [entry("a/b/keep.txt", 1), entry("a/old.txt", 10)],
        folders: [entry("a", 10), entry("a/b", 10)],
      }),
      limits(),
    );
    expect(paths(plan.byAge)).to.deep.equal(["a/old.txt"]);
    expect(plan.folders).to.deep.equal([]);
  });

  it("then removes the oldest files beyond max_files, counting live files but never removing them", () => {
    const plan = planTempCleanup(
      snapshot({
        files: [entry("x1", 1), entry("x2", 2), entry("x3", 3), entry("ancient", 20), entry("tts-live/a", 6)],
        folders: [entry("tts-live", 0)],
      }),
      limits(2),
    );
    expect(paths(plan.byAge)).to.deep.equal(["ancient"]);
    // 4 files are left (one live), 2 allowed: the two oldest removable ones go.
    expect(paths(plan.byCount)).to.deep.equal(["x3", "x2"]);
  });

  it("leaves folders it could not list alone", () => {
    const plan = planTempCleanup(
      snapshot({ folders: [entry("locked", 30)], unreadable: [{ path: "locked", code: "EACCES" }] }),
      limits(),
    );
    expect(plan.folders).to.deep.equal([]);
  });
});
