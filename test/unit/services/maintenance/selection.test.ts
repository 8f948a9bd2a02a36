import { expect } from "chai";
import {
  olderThan,
  oldestBeyondCount,
  oldestFirst,
  oldestUntilWithin,
  type FileFacts,
} from "../../../../src/services/maintenance/selection.js";

const file = (path: string, mtimeMs: number, sizeBytes = 100): FileFacts => ({ path, mtimeMs, sizeBytes });
const paths = (files: FileFacts[]) => files.map((f) => f.path);

describe("cleanup selection", () => {
  const files = [file("c", 300), file("a", 100), file("b", 200), file("a2", 100)];

  it("orders oldest first, by path when times tie, without changing its input", () => {
    expect(paths(oldestFirst(files))).to.deep.equal(["a", "a2", "b", "c"]);
    expect(paths(files)).to.deep.equal(["c", "a", "b", "a2"]);
  });

  it("picks files modified strictly before the cutoff", () => {
    expect(paths(olderThan(files, 200))).to.deep.equal(["a", "a2"]);
    expect(olderThan(files, 100)).to.deep.equal([]);
  });

  it("picks the oldest beyond a count, counting files it may not remove", () => {
    expect(paths(oldestBeyondCount(files, 4, 2))).to.deep.equal(["a", "a2"]);
    // Two live files not offered for removal still count toward the limit of 3.
    expect(paths(oldestBeyondCount(files, 6, 3))).to.deep.equal(["a", "a2", "b"]);
    expect(oldestBeyondCount(files, 4, 4)).to.deep.equal([]);
    expect(paths(oldestBeyondCount(files, 10, 1))).to.have.length(4);
  });

  it("picks the oldest until the total is within the size limit", () => {
    const sized = [file("new", 300, 500), file("old", 100, 400), file("mid", 200, 300)];
    expect(paths(oldestUntilWithin(sized, 1200, 1000))).to.deep.equal(["old"]);
    expect(paths(oldestUntilWithin(sized, 1200, 500))).to.deep.equal(["old", "mid"]);
    expect(oldestUntilWithin(sized, 1200, 1200)).to.deep.equal([]);
    expect(paths(oldestUntilWithin(sized, 1200, 0))).to.deep.equal(["old", "mid", "new"]);
  });
});
