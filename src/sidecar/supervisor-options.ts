/**
 * What the supervisor is told, its defaults, and how that becomes a command line and an environment.
 * The supervisor owns the sidecar's configuration (design.md §5 habit 2): the sidecar never reads config.yaml;
 * it gets these flags, a curated environment and a LoadModel call.
 */
import type { Logger } from "../logging.js";
import { DEFAULT_RESTART_POLICY, type RestartPolicy } from "./restart-budget.js";
import type { ModelLoadRequest, SidecarTimeouts } from "./sidecar-client.js";
import type { SpawnSpec } from "./sidecar-process.js";

/** The sidecar's own flags (must match chatterbox_sidecar's argument parser). */
export interface SidecarFlags {
  /** host:port; port 0 lets the OS choose and the handshake reports it. Default "127.0.0.1:0". */
  listen?: string;
  /** debug | info | warn | error. Default "info". */
  logLevel?: string;
  /** Directories whose files the sidecar may read by path (reference voices, VC inputs). Absolute. */
  allowedRoots: readonly string[];
  /** Jobs waiting beyond the running one; more are refused with RESOURCE_EXHAUSTED. Default 8. */
  queueCapacity?: number;
  /** Largest gRPC message either way, in MiB; the client uses the same limit. Default 64. */
  maxMessageMb?: number;
  /** How long the sidecar lets running work finish after SIGTERM. Default 10. */
  graceSeconds?: number;
}

/**
 * How to run and watch the sidecar. main.ts passes the venv python and the default prefix; tests pass
 * `python: process.execPath` and `argsPrefix: [fakeSidecarScript, "--scenario", name]`.
 */
export interface SupervisorOptions {
  /** Executable: the venv's python in production; tests pass process.execPath. */
  python: string;
  /** Arguments before the flags. Default ["-m", "chatterbox_sidecar"]; tests pass [fakeScript, "--scenario", name]. */
  argsPrefix?: readonly string[];
  /** Working directory of the sidecar (<repo>/sidecar). */
  cwd: string;
  args: SidecarFlags;
  /** Extra environment (e.g. HF_HUB_OFFLINE, CUDA_VISIBLE_DEVICES); undefined values are left out. */
  env?: Readonly<Record<string, string | undefined>>;
  /** What LoadModel asks for after every (re)start. */
  loadRequest: ModelLoadRequest;
  /** From spawn to handshake plus health "" SERVING. Default 120 s (Python imports can be slow). */
  startupTimeoutMs?: number;
  /** Deadline of the LoadModel call. Default 15 min (a first load may download weights). */
  loadTimeoutMs?: number;
  /** Pause between health checks of a ready sidecar. Default 5 s. */
  healthIntervalMs?: number;
  /** Deadline of one health check. Default 2 s. */
  healthTimeoutMs?: number;
  /** Consecutive failed checks before the process is killed and restarted. Default 3. */
  healthFailureThreshold?: number;
  /** SIGTERM → SIGKILL delay. Default graceSeconds + 5 s, so the sidecar's own drain can finish. */
  stopGraceMs?: number;
  restart?: Partial<RestartPolicy>;
  /** Per-method deadlines of the client (see DEFAULT_SIDECAR_TIMEOUTS). */
  clientTimeouts?: Partial<SidecarTimeouts>;
  /** Root (or any parent) logger; the supervisor logs as component "supervisor", sidecar lines as "sidecar". */
  logger: Logger;
  /** Jitter source in [0, 1); tests may pin it. Default Math.random. */
  random?: () => number;
}

/** Options with every default filled in. */
export interface ResolvedSupervisorOptions extends Required<Omit<SupervisorOptions, "args" | "env" | "clientTimeouts">> {
  args: Required<SidecarFlags>;
  env: Readonly<Record<string, string | undefined>>;
  clientTimeouts: Partial<SidecarTimeouts>;
  restart: RestartPolicy;
}

/** Pause between readiness polls while starting. */
export const READINESS_POLL_MS = 100;

/** Fills every default in. */
export function resolveSupervisorOptions(options: SupervisorOptions): ResolvedSupervisorOptions {
  const args: Required<SidecarFlags> = {
    listen: "127.0.0.1:0",
    logLevel: "info",
    queueCapacity: 8,
    maxMessageMb: 64,
    graceSeconds: 10,
    ...definedOnly(options.args),
    allowedRoots: options.args.allowedRoots,
  };
  return {
    python: options.python,
    argsPrefix: options.argsPrefix ?? ["-m", "chatterbox_sidecar"],
    cwd: options.cwd,
    args,
    env: options.env ?? {},
    loadRequest: options.loadRequest,
    startupTimeoutMs: options.startupTimeoutMs ?? 120_000,
    loadTimeoutMs: options.loadTimeoutMs ?? 15 * 60_000,
    healthIntervalMs: options.healthIntervalMs ?? 5_000,
    healthTimeoutMs: options.healthTimeoutMs ?? 2_000,
    healthFailureThreshold: options.healthFailureThreshold ?? 3,
    stopGraceMs: options.stopGraceMs ?? (args.graceSeconds + 5) * 1000,
    restart: { ...DEFAULT_RESTART_POLICY, ...definedOnly(options.restart ?? {}) },
    clientTimeouts: options.clientTimeouts ?? {},
    logger: options.logger,
    random: options.random ?? Math.random,
  };
}

/** The command line: prefix, then the sidecar's flags, with our pid so it exits if we die. */
export function buildSidecarArgs(args: Required<SidecarFlags>, parentPid: number): string[] {
  return [
    "--listen",
    args.listen,
    "--log-level",
    args.logLevel,
    "--parent-pid",
    String(parentPid),
    ...args.allowedRoots.flatMap((root) => ["--allowed-root", root]),
    "--queue-capacity",
    String(args.queueCapacity),
    "--max-message-mb",
    String(args.maxMessageMb),
    "--grace-seconds",
    String(args.graceSeconds),
  ];
}

/** Variables passed through from our own environment; nothing else leaks (tokens, cloud credentials). */
export const INHERITED_ENV_KEYS: readonly string[] = ["PATH", "HOME", "LANG"];

/** The sidecar's whole environment: the inherited keys, unbuffered Python output, then the extras. */
export function curatedEnv(
  extra: Readonly<Record<string, string | undefined>>,
  source: NodeJS.ProcessEnv = process.env,
): Record<string, string> {
  const env: Record<string, string> = {};
  for (const key of INHERITED_ENV_KEYS) {
    const value = source[key];
    if (value !== undefined) env[key] = value;
  }
  // Python block-buffers a piped stdout/stderr: without this the handshake and logs could sit in a buffer.
  env.PYTHONUNBUFFERED = "1";
  for (const [key, value] of Object.entries(extra)) if (value !== undefined) env[key] = value;
  return env;
}

/** Command, arguments, cwd and environment of the sidecar process. */
export function buildSpawnSpec(options: ResolvedSupervisorOptions, parentPid: number): SpawnSpec {
  return {
    command: options.python,
    args: [...options.argsPrefix, ...buildSidecarArgs(options.args, parentPid)],
    cwd: options.cwd,
    env: curatedEnv(options.env),
  };
}

function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
