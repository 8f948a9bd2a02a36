/**
 * The supervisor's state as shown by GET /api/v1/health, which anyone may call: it names facts (exit code,
 * signal, times, a stable failure reason) and never log text, paths or request ids. Those go to the log.
 */
import type { LoadedEngines } from "../domain/inference.js";
import type { ProcessExit, SidecarProcess } from "./sidecar-process.js";
import type { StartFailureReason } from "./sidecar-start-error.js";

/** See the state diagram in supervisor.ts. */
export type SupervisorState = "stopped" | "starting" | "loading" | "ready" | "restarting" | "failed" | "stopping";

/** Absent values are null so they show in JSON. */
export interface SupervisorSnapshot {
  state: SupervisorState;
  /** The running sidecar's pid. */
  pid: number | null;
  /** host:port of the ready sidecar (direct gRPC clients may use it). */
  address: string | null;
  /** Restart attempts (after crashes or failed starts) since start(). */
  restarts: number;
  lastExit: { code: number | null; signal: string | null; at: string } | null;
  /** Why the last launch attempt failed, when one did since start(). */
  lastStartFailure: { reason: StartFailureReason; at: string } | null;
  /** When the next launch attempt is due (while `restarting` or `failed`). */
  nextAttemptAt: string | null;
  /** When the current process became ready (ISO 8601). */
  startedAt: string | null;
  engines: LoadedEngines | null;
  /** What the engine reported while loading, e.g. why `auto` fell back to espeak. */
  loadWarnings: string[];
}

/** The supervisor's private facts the snapshot is made of. */
export interface SnapshotFacts {
  state: SupervisorState;
  child: SidecarProcess | undefined;
  address: string | undefined;
  restarts: number;
  lastExit: ProcessExit | undefined;
  lastStartFailure: { reason: StartFailureReason; at: Date } | undefined;
  nextAttemptAt: Date | undefined;
  startedAt: Date | undefined;
  engines: LoadedEngines | undefined;
}

/** Copies the facts into a JSON-ready snapshot (no live objects leak out). */
export function buildSnapshot(facts: SnapshotFacts): SupervisorSnapshot {
  const { lastExit: exit, lastStartFailure: failure } = facts;
  return {
    state: facts.state,
    pid: facts.child?.running ? (facts.child.pid ?? null) : null,
    address: facts.address ?? null,
    restarts: facts.restarts,
    lastExit: exit ? { code: exit.code, signal: exit.signal, at: exit.at.toISOString() } : null,
    lastStartFailure: failure ? { reason: failure.reason, at: failure.at.toISOString() } : null,
    nextAttemptAt: facts.nextAttemptAt?.toISOString() ?? null,
    startedAt: facts.startedAt?.toISOString() ?? null,
    engines: facts.engines ?? null,
    loadWarnings: [...(facts.engines?.default.warnings ?? [])],
  };
}
