/**
 * One attempt at bringing a sidecar to ready: spawn, handshake, health "" SERVING, LoadModel. Every wait is
 * raced against the process's exit, so a child that dies early is reported at once with its exit code and
 * stderr tail (design.md §5 habit 3). On any failure the child is stopped before the error is thrown.
 */
import { DomainError } from "../domain/errors.js";
import type { LoadedEngines } from "../domain/inference.js";
import type { Logger } from "../logging.js";
import { sidecarDetails } from "./grpc-errors.js";
import { HandshakeError, type Handshake } from "./handshake.js";
import { SidecarClient, type ModelLoadRequest, type SidecarClientOptions } from "./sidecar-client.js";
import { SidecarProcess, type ProcessExit, type SpawnSpec } from "./sidecar-process.js";
import { describeExit, SidecarStartError, type StartFailureReason } from "./sidecar-start-error.js";
import { cancellableDelay, settleWithin, withTimeout } from "./with-timeout.js";

/** How long a process whose stdout closed gets to actually exit, so we report its exit code. */
const EXIT_AFTER_STDOUT_CLOSE_MS = 2_000;

/** Everything one launch attempt needs; the callbacks keep the supervisor informed while it runs. */
export interface LaunchOptions {
  spec: SpawnSpec;
  startupTimeoutMs: number;
  loadTimeoutMs: number;
  readinessPollMs: number;
  stopGraceMs: number;
  loadRequest: ModelLoadRequest;
  clientOptions: Omit<SidecarClientOptions, "address">;
  /** Supervisor's logger and the parent of the forwarded sidecar lines. */
  logger: Logger;
  sidecarLogger: Logger;
  /** Called as soon as the process exists, so a concurrent stop() can terminate it. */
  onSpawn(process: SidecarProcess): void;
  /** Called when LoadModel is about to be sent. */
  onLoading(): void;
  isStopping(): boolean;
}

/** A sidecar that is up, connected and has its engines loaded. */
export interface LaunchedSidecar {
  process: SidecarProcess;
  client: SidecarClient;
  handshake: Handshake;
  engines: LoadedEngines;
}

/** A step failed; the reason decides the wording of the SidecarStartError. */
class StepFailure extends Error {
  constructor(
    readonly reason: StartFailureReason,
    message: string,
  ) {
    super(message);
  }
}

class ExitedEarly extends Error {}

/**
 * Runs one launch attempt.
 * @throws SidecarStartError, after the child (if any) is gone
 */
export async function launchSidecar(options: LaunchOptions): Promise<LaunchedSidecar> {
  if (options.isStopping()) throw new SidecarStartError("stopped", "The supervisor is stopping.", undefined);
  const child = SidecarProcess.spawn(options.spec, { logger: options.logger, sidecarLogger: options.sidecarLogger });
  options.onSpawn(child);
  let client: SidecarClient | undefined;
  try {
    const deadline = Date.now() + options.startupTimeoutMs;
    const handshake = await untilExit(child, awaitHandshake(child, deadline, options.startupTimeoutMs));
    client = new SidecarClient({ ...options.clientOptions, address: handshake.address });
    await untilExit(child, waitForServing(client, deadline, options));
    throwIfStopping(options);
    options.onLoading();
    const engines = await untilExit(child, loadModel(client, options));
    throwIfStopping(options);
    return { process: child, client, handshake, engines };
  } catch (error) {
    client?.close();
    if (error instanceof HandshakeError && error.stdoutClosed) {
      await settleWithin(child.exited, EXIT_AFTER_STDOUT_CLOSE_MS);
    }
    const diedByItself = !child.running && !child.signalled;
    const exit = await child.terminate(options.stopGraceMs);
    throw toStartError({ error, exit, diedByItself, stopping: options.isStopping(), command: options.spec.command });
  }
}

function throwIfStopping(options: LaunchOptions): void {
  if (options.isStopping()) throw new StepFailure("stopped", "The supervisor was stopped while the sidecar was starting.");
}

/** Rejects with ExitedEarly as soon as the process is gone, whatever `step` is doing. */
function untilExit<T>(child: SidecarProcess, step: Promise<T>): Promise<T> {
  const exited = child.exited.then((): never => {
    throw new ExitedEarly();
  });
  return Promise.race([step, exited]);
}

function awaitHandshake(child: SidecarProcess, deadline: number, totalMs: number): Promise<Handshake> {
  return withTimeout(
    child.handshake,
    deadline - Date.now(),
    () => new StepFailure("handshake_timeout", `The sidecar printed no handshake within ${totalMs} ms.`),
  );
}

/** Polls health "" (the process itself) until SERVING; connection errors just mean "not yet". */
async function waitForServing(client: SidecarClient, deadline: number, options: LaunchOptions): Promise<void> {
  let last = "no answer";
  for (;;) {
    throwIfStopping(options);
    const remaining = deadline - Date.now();
    if (remaining <= 0) break;
    try {
      last = await client.checkHealth("", { timeoutMs: Math.min(remaining, 2_000) });
      if (last === "serving") return;
    } catch (error) {
      last = error instanceof Error ? error.message : String(error);
    }
    await cancellableDelay(Math.min(options.readinessPollMs, deadline - Date.now()));
  }
  const message = `The sidecar did not report SERVING within ${options.startupTimeoutMs} ms (last: ${last}).`;
  throw new StepFailure("not_serving", message);
}

async function loadModel(client: SidecarClient, options: LaunchOptions): Promise<LoadedEngines> {
  try {
    return await client.loadModel(options.loadRequest, { timeoutMs: options.loadTimeoutMs });
  } catch (error) {
    const details = sidecarDetails(error) ?? (error instanceof Error ? error.message : String(error));
    const code = error instanceof DomainError ? ` [${error.code}]` : "";
    throw new StepFailure("load_failed", `Loading the model failed${code}: ${details}`);
  }
}

interface FailureFacts {
  error: unknown;
  exit: ProcessExit;
  diedByItself: boolean;
  stopping: boolean;
  command: string;
}

function toStartError(facts: FailureFacts): SidecarStartError {
  const { error, exit } = facts;
  if (facts.stopping) return new SidecarStartError("stopped", "The supervisor was stopped while the sidecar was starting.", exit);
  if (exit.spawnError !== undefined) {
    return new SidecarStartError("spawn_failed", `Could not start the sidecar (${facts.command}): ${exit.spawnError}`, exit);
  }
  if (facts.diedByItself || error instanceof ExitedEarly) {
    return new SidecarStartError("exited", `The sidecar exited before it was ready (${describeExit(exit)}).`, exit);
  }
  if (error instanceof StepFailure) return new SidecarStartError(error.reason, error.message, exit);
  if (error instanceof HandshakeError) return new SidecarStartError("bad_handshake", `Bad sidecar handshake: ${error.message}`, exit);
  const message = error instanceof Error ? error.message : String(error);
  return new SidecarStartError("exited", `The sidecar failed while starting: ${message}`, exit);
}
