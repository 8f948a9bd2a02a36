/**
 * What the supervisor is told and how that becomes a command line and an environment. The supervisor owns
 * the sidecar's configuration (design.md §5 habit 2): the sidecar never reads config.yaml; it gets these
 * flags, a curated environment and a LoadModel call. Every configurable value comes from config.yaml
 * (src/config/schema.ts holds the defaults); only internal timings are constants here.
 */
import type { Logger } from "../logging.js";
import type { RestartPolicy } from "./restart-budget.js";
import type { ModelLoadRequest, SidecarTimeouts } from "./sidecar-client.js";
import type { SpawnSpec } from "./sidecar-process.js";

/** The sidecar's own flags (must match chatterbox_sidecar's argument parser). */
export interface SidecarFlags {
  /** host:port; port 0 lets the OS choose and the handshake reports it. */
  listen: string;
  /** debug | info | warn | error. */
  logLevel: string;
  /** Directories whose files the sidecar may read by path (reference voices, VC inputs). Absolute. */
  allowedRoots: readonly string[];
  /** Jobs waiting beyond the running one; more are refused with RESOURCE_EXHAUSTED. */
  queueCapacity: number;
  /**
   * Seconds a queued job, in the inference or the speech-recognition queue, may wait to start before it is
   * refused with RESOURCE_EXHAUSTED; 0 = until its deadline.
   */
  maxQueueWaitSeconds: number;
  /** Largest gRPC message either way, in MiB; the client uses the same limit. */
  maxMessageMb: number;
  /** How long the sidecar lets running work finish after SIGTERM. */
  graceSeconds: number;
  /** Speech recognition; unset leaves the sidecar's own defaults (no Whisper folder: no installed models). */
  stt?: SttFlags;
}

/** The sidecar's speech-recognition flags. */
export interface SttFlags {
  /** models/whisper: one CTranslate2 folder per model name. */
  whisperDir: string;
  device: "auto" | "cuda" | "cpu";
  /** Loaded Whisper models are evicted, least recently used first, beyond this. */
  memoryMb: number;
  /** Transcriptions waiting beyond the running one. */
  queueCapacity: number;
  /** Known Whisper names that are not installed may be fetched from the Hugging Face hub. */
  allowDownload: boolean;
}

/**
 * How to run and watch the sidecar. main.ts builds it from config (supervisorOptionsFromConfig); tests pass
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
  /** From spawn to handshake plus health "" SERVING. */
  startupTimeoutMs: number;
  /** Deadline of the LoadModel call (a first load may download weights). */
  loadTimeoutMs: number;
  /** Pause between health checks of a ready sidecar. */
  healthIntervalMs: number;
  /** Deadline of one health check. Default HEALTH_TIMEOUT_MS. */
  healthTimeoutMs?: number;
  /** Consecutive failed checks before the process is killed and restarted. */
  healthFailureThreshold: number;
  /** SIGTERM → SIGKILL delay. Default graceSeconds + 5 s, so the sidecar's own drain can finish. */
  stopGraceMs?: number;
  restart: RestartPolicy;
  /** Per-method deadlines of the client (see DEFAULT_SIDECAR_TIMEOUTS). */
  clientTimeouts?: Partial<SidecarTimeouts>;
  /** Root (or any parent) logger; the supervisor logs as component "supervisor", sidecar lines as "sidecar". */
  logger: Logger;
  /** Jitter source in [0, 1); tests may pin it. Default Math.random. */
  random?: () => number;
}

/** Options with every optional value filled in. */
export interface ResolvedSupervisorOptions extends Required<Omit<SupervisorOptions, "env" | "clientTimeouts">> {
  env: Readonly<Record<string, string | undefined>>;
  clientTimeouts: Partial<SidecarTimeouts>;
}

/** Pause between readiness polls while starting. */
export const READINESS_POLL_MS = 100;
/** Deadline of one health check of a ready sidecar. */
export const HEALTH_TIMEOUT_MS = 2_000;
/** SIGKILL this long after the sidecar's own drain grace, if it is still running. */
const KILL_AFTER_GRACE_MS = 5_000;
/** The environment variable that hands the sidecar its admin token (never a flag: argv is public in `ps`). */
export const ADMIN_TOKEN_ENV = "CHATTERBOX_SIDECAR_ADMIN_TOKEN";

/** Fills the optional values in. */
export function resolveSupervisorOptions(options: SupervisorOptions): ResolvedSupervisorOptions {
  return {
    ...options,
    argsPrefix: options.argsPrefix ?? ["-m", "chatterbox_sidecar"],
    env: options.env ?? {},
    healthTimeoutMs: options.healthTimeoutMs ?? HEALTH_TIMEOUT_MS,
    stopGraceMs: options.stopGraceMs ?? options.args.graceSeconds * 1000 + KILL_AFTER_GRACE_MS,
    clientTimeouts: options.clientTimeouts ?? {},
    random: options.random ?? Math.random,
  };
}

/** The command line: prefix, then the sidecar's flags, with our pid so it exits if we die. */
export function buildSidecarArgs(args: SidecarFlags, parentPid: number): string[] {
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
    "--max-queue-wait-seconds",
    String(args.maxQueueWaitSeconds),
    "--max-message-mb",
    String(args.maxMessageMb),
    "--grace-seconds",
    String(args.graceSeconds),
    ...(args.stt ? sttArgs(args.stt) : []),
  ];
}

function sttArgs(stt: SttFlags): string[] {
  return [
    "--whisper-dir",
    stt.whisperDir,
    "--stt-device",
    stt.device,
    "--stt-memory-mb",
    String(stt.memoryMb),
    "--stt-queue-capacity",
    String(stt.queueCapacity),
    ...(stt.allowDownload ? ["--allow-download"] : []),
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

/** Command, arguments, cwd and environment of the sidecar process, which gets `adminToken` for LoadModel. */
export function buildSpawnSpec(options: ResolvedSupervisorOptions, parentPid: number, adminToken: string): SpawnSpec {
  return {
    command: options.python,
    args: [...options.argsPrefix, ...buildSidecarArgs(options.args, parentPid)],
    cwd: options.cwd,
    env: curatedEnv({ ...options.env, [ADMIN_TOKEN_ENV]: adminToken }),
  };
}
