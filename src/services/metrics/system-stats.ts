/**
 * The `system` part of GET /api/v1/metrics: this process's CPU and memory, the free space of the file system
 * holding the outputs folder, and how many files the outputs and temp folders hold.
 */
import { readdir, statfs } from "node:fs/promises";
import { availableParallelism, totalmem } from "node:os";

const MIB = 1024 * 1024;
const GIB = 1024 * MIB;

export interface SystemSnapshot {
  cpu_percent: number;
  memory: { rss_mb: number; percent: number };
  disk: { free_gb: number; usage_percent: number };
  file_counts: { outputs: number; temp: number };
}

export interface SystemStatsOptions {
  outputsRoot: string;
  tempRoot: string;
  /** Audio files in the outputs library, from its index (a walk per request would not scale). */
  outputFiles: () => number;
}

export interface SystemStats {
  snapshot(): Promise<SystemSnapshot>;
}

export function createSystemStats({ outputsRoot, tempRoot, outputFiles }: SystemStatsOptions): SystemStats {
  const cpu = cpuSampler();
  return {
    snapshot: async () => ({
      cpu_percent: cpu(),
      memory: memory(),
      disk: await disk(outputsRoot),
      file_counts: { outputs: outputFiles(), temp: (await readdir(tempRoot)).length },
    }),
  };
}

/**
 * CPU time this process used since the previous sample (since it started, for the first), as a share of all
 * cores over that wall time: 100 means every core was busy. Measured between calls, so a request never waits
 * for a sampling interval.
 */
function cpuSampler(): () => number {
  // Both clocks count from the process's start, which is the baseline of the first sample.
  let last = { cpuUs: 0, wallUs: 0 };
  return () => {
    const { user, system } = process.cpuUsage();
    const now = { cpuUs: user + system, wallUs: process.uptime() * 1e6 };
    const share = (now.cpuUs - last.cpuUs) / Math.max(1, now.wallUs - last.wallUs) / availableParallelism();
    last = now;
    return round(Math.min(100, share * 100), 1);
  };
}

function memory(): SystemSnapshot["memory"] {
  const { rss } = process.memoryUsage();
  return { rss_mb: round(rss / MIB, 1), percent: round((rss / totalmem()) * 100, 2) };
}

/** As `df` counts: used = total - free; the percentage is of what unprivileged users may fill. */
async function disk(root: string): Promise<SystemSnapshot["disk"]> {
  const fs = await statfs(root);
  const used = (fs.blocks - fs.bfree) * fs.bsize;
  const available = fs.bavail * fs.bsize;
  const usagePercent = used + available === 0 ? 0 : (used / (used + available)) * 100;
  return { free_gb: round(available / GIB, 2), usage_percent: round(usagePercent, 1) };
}

function round(value: number, digits: number): number {
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
}
