/**
 * Shared pieces of the sidecar integration tests: a supervisor wired to the fake sidecar process, a pino
 * logger whose output the test can read, and waits on events or conditions (never fixed sleeps).
 */
import type { EventEmitter } from "node:events";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { pino, type Logger } from "pino";
import { SidecarSupervisor, type SupervisorState } from "../../../src/sidecar/supervisor.js";
import type { SupervisorOptions } from "../../../src/sidecar/supervisor-options.js";

/** The compiled fake sidecar, run with `node`. */
export const FAKE_SIDECAR = fileURLToPath(new URL("../../fixtures/fake-sidecar.js", import.meta.url));

/** One parsed pino line. */
export type LogLine = Record<string, unknown> & { level: number; msg?: string };

/** A debug-level pino logger writing into memory. */
export class LogCapture {
  readonly lines: LogLine[] = [];
  readonly logger: Logger;
  private readonly waiters = new Set<() => void>();

  constructor() {
    const destination = {
      write: (chunk: string): void => {
        for (const text of chunk.split("\n")) if (text.trim() !== "") this.lines.push(JSON.parse(text) as LogLine);
        for (const wake of [...this.waiters]) wake();
      },
    };
    this.logger = pino({ level: "trace" }, destination);
  }

  find(predicate: (line: LogLine) => boolean): LogLine | undefined {
    return this.lines.find(predicate);
  }

  /** Resolves with the first line matching `predicate`, waiting for it if needed. */
  waitFor(predicate: (line: LogLine) => boolean, timeoutMs = 5_000): Promise<LogLine> {
    const found = this.find(predicate);
    if (found) return Promise.resolve(found);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters.delete(check);
        reject(new Error(`no matching log line within ${timeoutMs} ms`));
      }, timeoutMs);
      const check = (): void => {
        const line = this.find(predicate);
        if (!line) return;
        clearTimeout(timer);
        this.waiters.delete(check);
        resolve(line);
      };
      this.waiters.add(check);
    });
  }
}

/** A temp dir removed by `cleanup`. */
function makeTempDir(): { path: string; cleanup(): void } {
  const path = mkdtempSync(join(tmpdir(), "sidecar-test-"));
  return { path, cleanup: () => rmSync(path, { recursive: true, force: true }) };
}

/** Fast retries for tests; the cool-down is long so a test sees `failed` before the next attempt. */
export const TEST_RESTART_POLICY = {
  maxRestarts: 3,
  windowMs: 60_000,
  backoffInitialMs: 10,
  backoffMaxMs: 50,
  cooldownMs: 60_000,
  stableMs: 60_000,
} as const;

interface FakeSupervisorSetup {
  scenario: string;
  cwd: string;
  logger: Logger;
  /** Extra fake flags, e.g. ["--flaps", "3"]. */
  fakeArgs?: string[];
  overrides?: Partial<SupervisorOptions>;
}

/** A supervisor running the fake sidecar with short, test-sized timeouts. */
function fakeSupervisor(setup: FakeSupervisorSetup): SidecarSupervisor {
  return new SidecarSupervisor({
    python: process.execPath,
    argsPrefix: [FAKE_SIDECAR, "--scenario", setup.scenario, ...(setup.fakeArgs ?? [])],
    cwd: setup.cwd,
    args: {
      listen: "127.0.0.1:0",
      allowedRoots: [setup.cwd],
      logLevel: "debug",
      graceSeconds: 1,
      queueCapacity: 4,
      maxQueueWaitSeconds: 0,
      maxMessageMb: 64,
    },
    env: { HF_HUB_OFFLINE: "1" },
    loadRequest: {
      engine: "auto",
      variant: "english",
      device: "cpu",
      modelsDir: setup.cwd,
      allowDownload: false,
      piperVoice: "",
      engines: [],
      memoryBudgetMb: 0,
    },
    startupTimeoutMs: 5_000,
    loadTimeoutMs: 5_000,
    healthIntervalMs: 60_000,
    healthTimeoutMs: 1_000,
    healthFailureThreshold: 3,
    stopGraceMs: 3_000,
    restart: TEST_RESTART_POLICY,
    logger: setup.logger,
    ...setup.overrides,
  });
}

/** A test's temp folder, log capture and fake-sidecar supervisors; its hooks stop and clean up after each test. */
export interface FakeSupervisorFixture {
  readonly temp: { path: string; cleanup(): void };
  readonly logs: LogCapture;
  make(scenario: string, overrides?: Partial<SupervisorOptions>, fakeArgs?: string[]): SidecarSupervisor;
}

/** Registers the beforeEach/afterEach hooks of a {@link FakeSupervisorFixture} in the calling describe(). */
export function useFakeSupervisors(): FakeSupervisorFixture {
  let temp: FakeSupervisorFixture["temp"];
  let logs: LogCapture;
  let supervisor: SidecarSupervisor | undefined;
  beforeEach(() => {
    temp = makeTempDir();
    logs = new LogCapture();
  });
  afterEach(async () => {
    await supervisor?.stop();
    supervisor = undefined;
    temp.cleanup();
  });
  return {
    get temp() {
      return temp;
    },
    get logs() {
      return logs;
    },
    make(scenario, overrides = {}, fakeArgs = []) {
      supervisor = fakeSupervisor({ scenario, cwd: temp.path, logger: logs.logger, overrides, fakeArgs });
      return supervisor;
    },
  };
}

/** Resolves with the arguments of the first `event` whose arguments satisfy `predicate`. */
export function waitForEvent<Args extends unknown[]>(
  emitter: EventEmitter<any>,
  event: string,
  predicate: (...args: Args) => boolean = () => true,
  timeoutMs = 5_000,
): Promise<Args> {
  return new Promise((resolve, reject) => {
    const listener = (...args: unknown[]): void => {
      if (!predicate(...(args as Args))) return;
      clearTimeout(timer);
      emitter.off(event, listener);
      resolve(args as Args);
    };
    const timer = setTimeout(() => {
      emitter.off(event, listener);
      reject(new Error(`no matching "${event}" event within ${timeoutMs} ms`));
    }, timeoutMs);
    emitter.on(event, listener);
  });
}

/** Resolves once the supervisor is in `state` (at once if it already is). */
export async function waitForState(supervisor: SidecarSupervisor, state: SupervisorState, timeoutMs = 5_000): Promise<void> {
  if (supervisor.state === state) return;
  await waitForEvent<[SupervisorState]>(supervisor, "state", (next) => next === state, timeoutMs);
}

/** Polls `condition` until true; for facts no event reports (e.g. a foreign pid being gone). */
export async function waitUntil(condition: () => boolean, timeoutMs = 5_000, what = "condition"): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`${what} not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/**
 * True while a process with this pid runs. A zombie counts as gone: an orphan that exited waits for the
 * container's init to reap it, which may take seconds, but it no longer runs.
 */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    // Field 3 of /proc/<pid>/stat is the state; the command name before it is in parentheses.
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3) !== "Z";
  } catch {
    return true; // no procfs (not Linux): trust kill(0)
  }
}

/** Rejects if `promise` takes longer than `ms`; returns its outcome otherwise. */
export async function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} took longer than ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** Runs `body` and returns what it threw (fails if it did not throw). */
export async function caught(body: () => Promise<unknown>): Promise<unknown> {
  try {
    await body();
  } catch (error) {
    return error;
  }
  throw new Error("expected an error, but none was thrown");
}
