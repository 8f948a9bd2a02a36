/**
 * The InferenceBackend the services hold for the server's whole life. It forwards to whichever sidecar
 * client is current, and fails fast with ModelNotReadyError (503 + Retry-After) while there is none
 * (starting, restarting, failed, stopped). It counts inference calls in flight for the health monitor;
 * status and model-info calls are control traffic (GET /api/v1/health makes them) and are not counted.
 *
 * An inference call cut off by a crash of the sidecar (SidecarCrashedError) is made once more as soon as the
 * restarted sidecar is ready: the work is idempotent (seeded segments give the same audio), and a call that
 * was only waiting in the sidecar's queue would otherwise be lost to a crash it had no part in. A stream is
 * retried only while none of its results has reached the caller.
 */
import type { MonoPcm } from "../domain/audio.js";
import { ModelNotReadyError } from "../domain/errors.js";
import type {
  CallOptions,
  ConvertInput,
  InferenceBackend,
  LoadedEngines,
  StretchInput,
  StretchResult,
  TranscribeInput,
  Transcript,
  TranscriptionEvent,
  TranscriptionModels,
  SynthesisEvent,
  SynthesisInput,
  SynthesisStats,
  WorkerStatus,
} from "../domain/inference.js";
import { sidecarReason } from "./grpc-errors.js";
import type { SidecarClient } from "./sidecar-client.js";

/** The calls in flight when the sidecar process died; a 503 if it reaches the client. */
export class SidecarCrashedError extends ModelNotReadyError {}

/** How long a call cut off by a crash waits for the restarted sidecar before it fails after all. */
const RESTART_WAIT_MS = 30_000;

/** What the supervisor knows about its current sidecar; both throw ModelNotReadyError while there is none. */
export interface CurrentSidecar {
  client(): SidecarClient;
  /** The engines loaded at the last (re)start, as the supervisor reports them. */
  engines(): LoadedEngines;
  /**
   * Resolves when calls may go on after `client`'s failed: at once if its process is alive after all (a
   * connection blip), else once the restarted sidecar is ready; rejects after `timeoutMs`.
   */
  whenRecovered(client: SidecarClient, timeoutMs: number): Promise<void>;
}

/** An InferenceBackend that always goes to the current client, or fails fast while there is none. */
export class SupervisedBackend implements InferenceBackend {
  private inFlight = 0;

  constructor(private readonly current: CurrentSidecar) {}

  /** Inference calls in flight (status and model-info calls excluded). */
  get activeCalls(): number {
    return this.inFlight;
  }

  /** Answered from what LoadModel returned, without a call: the engines only change with a (re)start. */
  async engines(): Promise<LoadedEngines> {
    return this.current.engines();
  }

  // Async, as every method here: while there is no sidecar they reject rather than throw, so a caller that
  // starts several calls at once (Promise.all) never leaves one rejection unhandled.
  async status(options?: CallOptions): Promise<WorkerStatus> {
    return this.current.client().status(options);
  }

  synthesizeStream(input: SynthesisInput, options?: CallOptions): AsyncGenerator<SynthesisEvent, void> {
    return this.trackStream((client) => client.synthesizeStream(input, options), options, (e) => e.type === "audio");
  }

  convert(input: ConvertInput, options?: CallOptions): Promise<{ audio: MonoPcm; stats: SynthesisStats }> {
    return this.track((client) => client.convert(input, options), options);
  }

  timeStretch(input: StretchInput, options?: CallOptions): Promise<StretchResult> {
    return this.track((client) => client.timeStretch(input, options), options);
  }

  transcribe(input: TranscribeInput, options?: CallOptions): Promise<Transcript> {
    return this.track((client) => client.transcribe(input, options), options);
  }

  transcribeStream(input: TranscribeInput, options?: CallOptions): AsyncGenerator<TranscriptionEvent, void> {
    return this.trackStream((client) => client.transcribeStream(input, options), options, (e) => e.type === "segment");
  }

  /** Control traffic like status: not counted as work in flight. */
  async transcriptionModels(options?: CallOptions): Promise<TranscriptionModels> {
    return this.current.client().transcriptionModels(options);
  }

  /**
   * Counted from the first pull to the end of the stream, like the calls `track` counts. Retried once after a
   * crash while no result has been yielded; the retry's repeated `start` is not passed on.
   */
  private async *trackStream<T extends { type: string }>(
    call: (client: SidecarClient) => AsyncGenerator<T, void>,
    options: CallOptions | undefined,
    isResult: (event: T) => boolean,
  ): AsyncGenerator<T, void> {
    let started = false;
    for (let attempt = 1; ; attempt += 1) {
      // Outside the try: no sidecar at all is an ordinary, immediate 503, not a crash to wait out.
      const client = this.current.client();
      let yieldedResult = false;
      try {
        for await (const event of this.counted(call(client))) {
          if (event.type === "start" && started) continue;
          started ||= event.type === "start";
          yieldedResult ||= isResult(event);
          yield event;
        }
        return;
      } catch (error) {
        if (attempt > 1 || yieldedResult || !cutOffByCrash(error)) throw error;
        await this.awaitRestart(client, error, options);
      }
    }
  }

  private async *counted<T>(events: AsyncGenerator<T, void>): AsyncGenerator<T, void> {
    this.inFlight += 1;
    try {
      yield* events;
    } finally {
      this.inFlight -= 1;
    }
  }

  private async track<T>(call: (client: SidecarClient) => Promise<T>, options: CallOptions | undefined): Promise<T> {
    const client = this.current.client();
    try {
      return await this.countedCall(call, client);
    } catch (error) {
      if (!cutOffByCrash(error)) throw error;
      await this.awaitRestart(client, error, options);
      return this.countedCall(call, this.current.client());
    }
  }

  private async countedCall<T>(call: (client: SidecarClient) => Promise<T>, client: SidecarClient): Promise<T> {
    this.inFlight += 1;
    try {
      return await call(client);
    } finally {
      this.inFlight -= 1;
    }
  }

  /** Waits for the sidecar after `client`'s, within the call's deadline; the crash's error when none comes. */
  private async awaitRestart(client: SidecarClient, crash: unknown, options: CallOptions | undefined): Promise<void> {
    const left = options?.deadline === undefined ? RESTART_WAIT_MS : options.deadline - Date.now();
    await this.current.whenRecovered(client, Math.min(left, RESTART_WAIT_MS)).catch(() => {
      throw crash;
    });
  }
}

/**
 * The call was cut off by the sidecar's end, not refused by it: the supervisor failed it on the process's exit,
 * or the connection dropped (UNAVAILABLE without the sidecar's own reason, which loading and draining carry).
 */
function cutOffByCrash(error: unknown): boolean {
  return error instanceof SidecarCrashedError || (error instanceof ModelNotReadyError && !sidecarReason(error));
}
