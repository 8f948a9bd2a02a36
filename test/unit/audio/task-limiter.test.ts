import { expect } from "chai";
import { TaskLimiter } from "../../../src/audio/task-limiter.js";

/** A task that runs until released, noting when it starts. */
function gatedTask(log: string[], name: string) {
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  return { release, task: async () => (log.push(name), await gate, name) };
}

describe("audio/task-limiter", () => {
  it("runs at most `max` tasks at once, the rest in arrival order as slots free up", async () => {
    const limiter = new TaskLimiter(2);
    const log: string[] = [];
    const [a, b, c, d] = ["a", "b", "c", "d"].map((name) => gatedTask(log, name));
    const results = [a!, b!, c!, d!].map(({ task }) => limiter.run(task));
    await Promise.resolve();
    expect(log).to.deep.equal(["a", "b"]);
    b!.release();
    expect(await results[1]).to.equal("b");
    await Promise.resolve();
    expect(log).to.deep.equal(["a", "b", "c"]);
    a!.release();
    c!.release();
    d!.release();
    expect(await Promise.all(results)).to.deep.equal(["a", "b", "c", "d"]);
  });

  it("frees the slot of a task that fails and passes its error on", async () => {
    const limiter = new TaskLimiter(1);
    const failure = new Error("encode failed");
    const failed = limiter.run(() => Promise.reject(failure));
    const next = limiter.run(async () => "next");
    expect(await failed.catch((error: unknown) => error)).to.equal(failure);
    expect(await next).to.equal("next");
  });

  it("rejects a bound that is not a positive integer", () => {
    expect(() => new TaskLimiter(0)).to.throw(RangeError);
    expect(() => new TaskLimiter(1.5)).to.throw(RangeError);
  });
});
