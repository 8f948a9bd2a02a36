/**
 * The InferenceBackend the services hold for the server's whole life. It forwards to whichever sidecar
 * client is current, and fails fast with ModelNotReadyError (503 + Retry-After) while there is none
 * (starting, restarting, failed, stopped). It counts inference calls in flight for the health monitor;
 * status and model-info calls are control traffic (GET /api/v1/health makes them) and are not counted.
 */
import type { MonoPcm } from "../domain/audio.js";
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
import type { SidecarClient } from "./sidecar-client.js";

/** What the supervisor knows about its current sidecar; both throw ModelNotReadyError while there is none. */
export interface CurrentSidecar {
  client(): SidecarClient;
  /** The engines loaded at the last (re)start, as the supervisor reports them. */
  engines(): LoadedEngines;
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
    return this.trackStream((client) => client.synthesizeStream(input, options));
  }

  convert(input: ConvertInput, options?: CallOptions): Promise<{ audio: MonoPcm; stats: SynthesisStats }> {
    return this.track((client) => client.convert(input, options));
  }

  timeStretch(input: StretchInput, options?: CallOptions): Promise<StretchResult> {
    return this.track((client) => client.timeStretch(input, options));
  }

  transcribe(input: TranscribeInput, options?: CallOptions): Promise<Transcript> {
    return this.track((client) => client.transcribe(input, options));
  }

  transcribeStream(input: TranscribeInput, options?: CallOptions): AsyncGenerator<TranscriptionEvent, void> {
    return this.trackStream((client) => client.transcribeStream(input, options));
  }

  /** Control traffic like status: not counted as work in flight. */
  async transcriptionModels(options?: CallOptions): Promise<TranscriptionModels> {
    return this.current.client().transcriptionModels(options);
  }

  /** Counted from the first pull to the end of the stream, like the calls `track` counts. */
  private async *trackStream<T>(call: (client: SidecarClient) => AsyncGenerator<T, void>): AsyncGenerator<T, void> {
    const client = this.current.client();
    this.inFlight += 1;
    try {
      yield* call(client);
    } finally {
      this.inFlight -= 1;
    }
  }

  private async track<T>(call: (client: SidecarClient) => Promise<T>): Promise<T> {
    const client = this.current.client();
    this.inFlight += 1;
    try {
      return await call(client);
    } finally {
      this.inFlight -= 1;
    }
  }
}
