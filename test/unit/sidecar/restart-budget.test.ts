import { expect } from "chai";
import { backoffDelay, RestartBudget } from "../../../src/sidecar/restart-budget.js";

describe("sidecar/restart-budget", () => {
  describe("RestartBudget", () => {
    it("is exhausted once more than maxRestarts attempts failed within the window", () => {
      let now = 0;
      const budget = new RestartBudget({ maxRestarts: 2, windowMs: 1_000 }, () => now);
      budget.recordFailure();
      budget.recordFailure();
      expect(budget.exhausted()).to.equal(false);
      now = 999;
      budget.recordFailure();
      expect(budget.exhausted()).to.equal(true);
    });

    it("forgets failures older than the window", () => {
      let now = 0;
      const budget = new RestartBudget({ maxRestarts: 1, windowMs: 1_000 }, () => now);
      budget.recordFailure();
      now = 500;
      budget.recordFailure();
      expect(budget.exhausted()).to.equal(true);
      now = 1_000; // the first one leaves the window
      expect(budget.exhausted()).to.equal(false);
    });

    it("starts over after reset(), as after the sidecar reached ready", () => {
      const budget = new RestartBudget({ maxRestarts: 0, windowMs: 60_000 });
      budget.recordFailure();
      expect(budget.exhausted()).to.equal(true);
      budget.reset();
      expect(budget.exhausted()).to.equal(false);
    });

    it("with maxRestarts 0 cools down after the first failed attempt", () => {
      const budget = new RestartBudget({ maxRestarts: 0, windowMs: 1 });
      expect(budget.exhausted()).to.equal(false);
      budget.recordFailure();
      expect(budget.exhausted()).to.equal(true);
    });
  });

  describe("backoffDelay", () => {
    const policy = { backoffInitialMs: 100, backoffMaxMs: 1_000 };

    it("doubles per attempt up to the cap (upper end of the jitter)", () => {
      const top = (attempt: number) => backoffDelay(attempt, policy, () => 1);
      expect([0, 1, 2, 3, 4, 10, 1_000].map(top)).to.deep.equal([100, 200, 400, 800, 1_000, 1_000, 1_000]);
    });

    it("never goes below half the nominal delay (lower end of the jitter)", () => {
      const bottom = (attempt: number) => backoffDelay(attempt, policy, () => 0);
      expect([0, 1, 2, 3, 4].map(bottom)).to.deep.equal([50, 100, 200, 400, 500]);
    });

    it("stays within [nominal/2, nominal] for any random value", () => {
      for (let attempt = 0; attempt < 8; attempt++) {
        const nominal = Math.min(1_000, 100 * 2 ** attempt);
        for (const r of [0, 0.1, 0.5, 0.99]) {
          const delay = backoffDelay(attempt, policy, () => r);
          expect(delay).to.be.within(nominal / 2, nominal);
        }
      }
    });

    it("treats a negative attempt as the first", () => {
      expect(backoffDelay(-3, policy, () => 1)).to.equal(100);
    });
  });
});
