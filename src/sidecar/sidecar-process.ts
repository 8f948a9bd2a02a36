/**
 * One spawned sidecar process: its handshake, its stderr (forwarded to our log, tail kept), its exit, and
 * a graceful-then-forced terminate. Knows nothing about gRPC or restarts; the supervisor decides those.
 */
import { execa, type ResultPromise } from "execa";
import type { Logger } from "../logging.js";
import { forEachLine } from "./line-splitter.js";
import { HandshakeError, parseHandshake, type Handshake } from "./handshake.js";
import { LogForwarder } from "./log-forwarder.js";
import { settleWithin } from "./with-timeout.js";

/** After 'exit', how long stderr may still deliver its last lines (a grandchild can hold the pipe open). */
const STDERR_DRAIN_MS = 1_000;

/** What to run. `env` is complete: nothing from our own environment is added. */
export interface SpawnSpec {
  command: string;
  args: readonly string[];
  cwd: string;
  env: Readonly<Record<string, string>>;
}

/** How a process ended. */
export interface ProcessExit {
  /** Exit code, or null when killed by a signal or never started. */
  code: number | null;
  signal: NodeJS.Signals | null;
  at: Date;
  /** Last stderr lines, oldest first. */
  stderrTail: string[];
  /** Set when the process could not be started at all (e.g. the interpreter does not exist). */
  spawnError?: string;
}

/** Where the process's own messages and its forwarded stderr go. */
export interface SidecarProcessOptions {
  /** For our own messages about the process; its stderr goes to a {component: "sidecar"} child. */
  logger: Logger;
  /** Root logger the forwarded sidecar lines derive from. */
  sidecarLogger: Logger;
  tailLines?: number;
}

/** A running (or finished) sidecar child process. */
export class SidecarProcess {
  readonly pid: number | undefined;
  /** Resolves with the handshake; rejects with HandshakeError if stdout says anything else or closes. */
  readonly handshake: Promise<Handshake>;
  /** Resolves once the process is gone (never rejects). */
  readonly exited: Promise<ProcessExit>;
  private alive = true;
  private signalledByUs = false;
  private terminating: Promise<ProcessExit> | undefined;
  private readonly forwarder: LogForwarder;

  private constructor(
    private readonly subprocess: ResultPromise,
    private readonly log: Logger,
    options: SidecarProcessOptions,
  ) {
    this.pid = subprocess.pid;
    this.forwarder = new LogForwarder({ logger: options.sidecarLogger, pid: this.pid, tailLines: options.tailLines });
    const stderrDone = subprocess.stderr ? this.forwarder.attach(subprocess.stderr) : Promise.resolve();
    this.handshake = this.readHandshake();
    this.handshake.catch(() => undefined); // observed by whoever awaits it; never an unhandled rejection
    this.exited = this.watchExit(stderrDone);
  }

  /** Starts the process with stdin closed and execa's cleanup (killed if Node exits normally). */
  static spawn(spec: SpawnSpec, options: SidecarProcessOptions): SidecarProcess {
    const subprocess = execa(spec.command, [...spec.args], {
      cwd: spec.cwd,
      env: spec.env,
      extendEnv: false,
      stdin: "ignore",
      stdout: "pipe",
      stderr: "pipe",
      buffer: false,
      reject: false,
      cleanup: true,
      // Our own terminate() does graceful-then-forced, with the configured grace.
      forceKillAfterDelay: false,
    });
    return new SidecarProcess(subprocess, options.logger, options);
  }

  /** False from the moment the process exits. */
  get running(): boolean {
    return this.alive;
  }

  /** The last stderr lines so far. */
  stderrTail(): string[] {
    return this.forwarder.tail();
  }

  /** True once we sent it a signal: an exit after that is not the process's own doing. */
  get signalled(): boolean {
    return this.signalledByUs;
  }

  /** Sends a signal if the process is still running. */
  kill(signal: NodeJS.Signals): void {
    if (!this.alive) return;
    this.signalledByUs = true;
    this.subprocess.kill(signal);
  }

  /**
   * SIGTERM, then SIGKILL if still running after `graceMs`. Resolves when the process is gone.
   * Safe to call many times and concurrently: later calls share the first one's outcome.
   */
  terminate(graceMs: number): Promise<ProcessExit> {
    if (!this.alive) return this.exited;
    this.terminating ??= this.doTerminate(graceMs);
    return this.terminating;
  }

  private async doTerminate(graceMs: number): Promise<ProcessExit> {
    this.kill("SIGTERM");
    await settleWithin(this.exited, graceMs);
    if (this.alive) {
      this.log.warn({ pid: this.pid, graceMs }, "sidecar ignored SIGTERM; sending SIGKILL");
      this.kill("SIGKILL");
    }
    return this.exited;
  }

  private readHandshake(): Promise<Handshake> {
    const stdout = this.subprocess.stdout;
    if (!stdout) return Promise.reject(new HandshakeError("the sidecar has no stdout"));
    return new Promise((resolve, reject) => {
      let seen = false;
      // stdout is drained for the life of the process so a chatty child can never block on a full pipe.
      const done = forEachLine(stdout, (line) => {
        if (!seen && line.trim() === "") return;
        if (seen) return this.log.warn({ pid: this.pid, line }, "unexpected stdout line from the sidecar");
        seen = true;
        try {
          resolve(parseHandshake(line));
        } catch (error) {
          reject(error);
        }
      });
      void done.then(() => reject(new HandshakeError("the sidecar closed stdout without a handshake", true)));
    });
  }

  private watchExit(stderrDone: Promise<void>): Promise<ProcessExit> {
    return new Promise((resolve) => {
      let seen = false;
      const finish = async (code: number | null, signal: NodeJS.Signals | null, spawnError?: string) => {
        if (seen) return;
        seen = true;
        this.alive = false;
        await settleWithin(stderrDone, STDERR_DRAIN_MS);
        const exit: ProcessExit = { code, signal, at: new Date(), stderrTail: this.stderrTail() };
        if (spawnError !== undefined) exit.spawnError = spawnError;
        resolve(exit);
      };
      this.subprocess.once("exit", (code, signal) => void finish(code, signal));
      // The promise covers what 'exit' does not: a process that never started (ENOENT, EACCES).
      void this.subprocess.then(
        (result) => {
          const neverRan = result.exitCode === undefined && result.signal === undefined;
          void finish(result.exitCode ?? null, result.signal ?? null, neverRan ? result.shortMessage : undefined);
        },
        (error: unknown) => void finish(null, null, String(error)),
      );
    });
  }
}
