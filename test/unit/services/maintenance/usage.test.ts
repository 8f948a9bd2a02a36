import { expect } from "chai";
import type { AppConfig } from "../../../../src/config/app-config.js";
import { formatBytes, limitWarnings, megabytes, usagePercent } from "../../../../src/services/maintenance/usage.js";

const GIB = 1024 ** 3;
const settings = (enforce: boolean): AppConfig["maintenance"] => ({
  cleanupOnStartup: true,
  cleanupIntervalMs: 0,
  tempMaxAgeMs: 7 * 86_400_000,
  tempMaxFiles: 200,
  outputsMaxBytes: 5 * GIB,
  vcInputsMaxBytes: 2 * GIB,
  enforceSizeLimits: enforce,
  warningThresholdPercent: 80,
});

describe("usage figures and warnings", () => {
  it("rounds megabytes to 2 decimals and percentages to 1", () => {
    expect(megabytes(1_572_864)).to.equal(1.5);
    expect(usagePercent(1, 3)).to.equal(33.3);
  });

  it("names a limit in the largest unit it reaches", () => {
    expect(formatBytes(5 * GIB)).to.equal("5 GB");
    expect(formatBytes(1.5 * 1024 * 1024)).to.equal("1.5 MB");
    expect(formatBytes(1074)).to.equal("1.05 KB");
    expect(formatBytes(12)).to.equal("12 bytes");
  });

  it("warns at the threshold, and says whether files are deleted past the limit", () => {
    const below = limitWarnings(settings(false), { outputsBytes: 3 * GIB, vcInputsBytes: 0, tempFiles: 10 });
    expect(below).to.deep.equal([]);
    const at = limitWarnings(settings(false), { outputsBytes: 4.25 * GIB, vcInputsBytes: 0, tempFiles: 160 });
    expect(at).to.deep.equal([
      "outputs/ uses 85.0% of its 5 GB limit",
      "temp/ holds 160 files, 80.0% of its limit of 200",
    ]);
    const [over] = limitWarnings(settings(false), { outputsBytes: 0, vcInputsBytes: 3 * GIB, tempFiles: 0 });
    expect(over).to.equal(
      "vc_inputs/ uses 150.0% of its 2 GB limit; nothing is deleted automatically while maintenance.enforce_size_limits is false",
    );
    const [enforced] = limitWarnings(settings(true), { outputsBytes: 0, vcInputsBytes: 3 * GIB, tempFiles: 0 });
    expect(enforced).to.include("cleanups delete its oldest files");
  });
});
