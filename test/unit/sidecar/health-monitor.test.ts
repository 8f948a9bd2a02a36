import { expect } from "chai";
import { HealthMonitor, type HealthCheckReport, type HealthProbeResult } from "../../../src/sidecar/health-monitor.js";

/** Runs a monitor over scripted probe results until it reports unhealthy or the script runs out. */
function run(script: HealthProbeResult[], threshold: number, busy = false) {
  return new Promise<{ reports: HealthCheckReport[]; unhealthyAfter: number | undefined }>((resolve) => {
    const reports: HealthCheckReport[] = [];
    let index = 0;
    const monitor: HealthMonitor = new HealthMonitor({
      probe: async () => {
        const result = script[index++];
        if (result === undefined) {
          monitor.stop();
          resolve({ reports, unhealthyAfter: undefined });
          return { ok: true, timedOut: false };
        }
        return result;
      },
      intervalMs: 1,
      failureThreshold: threshold,
      isBusy: () => busy,
      onReport: (report) => reports.push(report),
      onUnhealthy: (failures) => resolve({ reports, unhealthyAfter: failures }),
    });
    monitor.start();
  });
}

const ok = { ok: true, timedOut: false };
const down = { ok: false, timedOut: false };
const slow = { ok: false, timedOut: true };

describe("sidecar/health-monitor", () => {
  it("reports unhealthy after N consecutive failures", async () => {
    const { reports, unhealthyAfter } = await run([down, down, down], 3);
    expect(unhealthyAfter).to.equal(3);
    expect(reports.map((r) => r.consecutiveFailures)).to.deep.equal([1, 2, 3]);
  });

  it("resets the count on a success", async () => {
    const { reports, unhealthyAfter } = await run([down, down, ok, down, down], 3);
    expect(unhealthyAfter).to.equal(undefined);
    expect(reports.map((r) => r.consecutiveFailures)).to.deep.equal([1, 2, 0, 1, 2]);
  });

  it("does not count timeouts while inference calls are in flight (busy is not dead)", async () => {
    const { reports, unhealthyAfter } = await run([slow, slow, slow, slow], 2, true);
    expect(unhealthyAfter).to.equal(undefined);
    expect(reports.every((r) => !r.counted && r.consecutiveFailures === 0)).to.equal(true);
  });

  it("still counts refused connections while busy, and timeouts while idle", async () => {
    expect((await run([down, down], 2, true)).unhealthyAfter).to.equal(2);
    expect((await run([slow, slow], 2, false)).unhealthyAfter).to.equal(2);
  });

  it("counts a probe that throws as a failure", async () => {
    let calls = 0;
    const failures = await new Promise<number>((resolve) => {
      const monitor = new HealthMonitor({
        probe: () => (++calls > 0 ? Promise.reject(new Error("boom")) : Promise.resolve(ok)),
        intervalMs: 1,
        failureThreshold: 2,
        isBusy: () => false,
        onReport: () => undefined,
        onUnhealthy: resolve,
      });
      monitor.start();
    });
    expect(failures).to.equal(2);
  });
});
