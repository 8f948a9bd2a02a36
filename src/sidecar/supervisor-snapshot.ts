/** The supervisor's state as shown by GET /api/v1/health. */
import type { ModelInfo } from "../domain/inference.js";
import type { ProcessExit, SidecarProcess } from "./sidecar-process.js";

/** See the state diagram in supervisor.ts. */
export type SupervisorState = "stopped" | "starting" | "loading" | "ready" | "restarting" | "failed" | "stopping";

/** Absent values are null so they show in JSON. */
export interface SupervisorSnapshot {
  state: SupervisorState;
  /** The running sidecar's pid. */
  pid: number | null;
  /** host:port of the ready sidecar (direct gRPC clients may use it). */
  address: string | null;
  /** Restarts after crashes since start(). */
  restarts: number;
  lastExit: { code: number | null; signal: string | null; at: string; stderrTail: string[] } | null;
  /** When the current process became ready (ISO 8601). */
  startedAt: string | null;
  modelInfo: ModelInfo | null;
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
  startedAt: Date | undefined;
  modelInfo: ModelInfo | undefined;
}

/** Copies the facts into a JSON-ready snapshot (no live objects leak out). */
export function buildSnapshot(facts: SnapshotFacts): SupervisorSnapshot {
  const exit = facts.lastExit;
  return {
    state: facts.state,
    pid: facts.child?.running ? (facts.child.pid ?? null) : null,
    address: facts.address ?? null,
    restarts: facts.restarts,
    lastExit: exit
      ? { code: exit.code, signal: exit.signal, at: exit.at.toISOString(), stderrTail: [...exit.stderrTail] }
      : null,
    startedAt: facts.startedAt?.toISOString() ?? null,
    modelInfo: facts.modelInfo ?? null,
    loadWarnings: [...(facts.modelInfo?.warnings ?? [])],
  };
}
