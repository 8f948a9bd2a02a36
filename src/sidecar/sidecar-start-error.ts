/**
 * Why the sidecar could not be brought to `ready`. Not a DomainError: it is reported at boot (main.ts prints
 * it and decides whether to exit) and in the health snapshot, never as an API error body.
 */
import type { ProcessExit } from "./sidecar-process.js";

/** Lines of stderr quoted in the message; the snapshot keeps the full tail. */
const TAIL_LINES_IN_MESSAGE = 20;

/** Which step of the start-up failed; stable values for logs and tests. */
export type StartFailureReason =
  | "spawn_failed"
  | "exited"
  | "bad_handshake"
  | "handshake_timeout"
  | "not_serving"
  | "load_failed"
  | "stopped";

/** The sidecar did not become ready; the message carries the exit code/signal and the stderr tail. */
export class SidecarStartError extends Error {
  readonly code = "SIDECAR_START_FAILED";

  constructor(
    readonly reason: StartFailureReason,
    message: string,
    /** How the process ended, when it has (it is always gone once this error is thrown, unless never spawned). */
    readonly exit: ProcessExit | undefined,
  ) {
    super(exit && exit.stderrTail.length > 0 ? `${message}\n${formatTail(exit.stderrTail)}` : message);
    this.name = "SidecarStartError";
  }
}

/** "exit code 42", "signal SIGKILL", or the spawn error. */
export function describeExit(exit: ProcessExit): string {
  if (exit.spawnError !== undefined) return exit.spawnError;
  if (exit.signal !== null) return `signal ${exit.signal}`;
  return `exit code ${exit.code ?? "unknown"}`;
}

function formatTail(lines: readonly string[]): string {
  const shown = lines.slice(-TAIL_LINES_IN_MESSAGE);
  return `Last stderr lines of the sidecar:\n${shown.map((line) => `  | ${line}`).join("\n")}`;
}
