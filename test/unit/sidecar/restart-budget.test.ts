import { expect } from "chai";
import { backoffDelay, RestartBudget } from "../../../src/sidecar/restart-budget.js";

describe("sidecar/restart-budget", () => {
  describe("RestartBudget", () => {
    it("allows maxRestarts within the window, then refuses", () => {
      let now = 0;
      const budget = new RestartBudget({ maxRestarts: 3, windowMs: 1_000 }, () => now);
      expect([budget.tryConsume(), budget.tryConsume(), budget.tryConsume()]).to.deep.equal([true, true, true]);
      now = 999;
      expect(budget.tryConsume()).to.equal(false);
      expect(budget.used).to.equal(3);
    });

    it("forgets restarts older than the window", () => {
      let now = 0;
      const budget = new RestartBudget({ maxRestarts: 2, windowMs: 1_000 }, () => now);
      budget.tryConsume();
      now = 500;
      budget.tryConsume();
      now = 1_000; // the first one leaves the window
      expect(budget.used).to.equal(1);
      expect(budget.tryConsume()).to.equal(true);
      expect(budget.tryConsume()).to.equal(false);
    });

    it("starts over after reset()", () => {
      const budget = new RestartBudget({ maxRestarts: 1, windowMs: 60_000 });
      budget.tryConsume();
      expect(budget.tryConsume()).to.equal(false);
      budget.reset();
      expect(budget.tryConsume()).to.equal(true);
    });

    it("with maxRestarts 0 never restarts", () => {
      expect(new RestartBudget({ maxRestarts: 0, windowMs: 1 }).tryConsume()).to.equal(false);
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
