/**
 * The InferenceBackend the services hold for the server's whole life. It forwards to whichever sidecar
 * client is current, and fails fast with ModelNotReadyError (503 + Retry-After) while there is none
 * (starting, restarting, failed, stopped). It also counts calls in flight for the health monitor.
 */
import type { MonoPcm } from "../domain/audio.js";
import type {
  CallOptions,
  ConvertInput,
  InferenceBackend,
  ModelInfo,
  StretchInput,
  StretchResult,
  SynthesisEvent,
  SynthesisInput,
  SynthesisStats,
  WorkerStatus,
} from "../domain/inference.js";
import type { SidecarClient } from "./sidecar-client.js";

/** An InferenceBackend that always goes to the current client, or fails fast while there is none. */
export class SupervisedBackend implements InferenceBackend {
  private inFlight = 0;

  /** @param currentClient returns the ready client or throws ModelNotReadyError */
  constructor(private readonly currentClient: () => SidecarClient) {}

  /** Inference calls in flight (health probes excluded). */
  get activeCalls(): number {
    return this.inFlight;
  }

  modelInfo(options?: CallOptions): Promise<ModelInfo> {
    return this.track((client) => client.modelInfo(options));
  }

  status(options?: CallOptions): Promise<WorkerStatus> {
    return this.track((client) => client.status(options));
  }

  async *synthesizeStream(input: SynthesisInput, options?: CallOptions): AsyncGenerator<SynthesisEvent, void> {
    const client = this.currentClient();
    this.inFlight += 1;
    try {
      yield* client.synthesizeStream(input, options);
    } finally {
      this.inFlight -= 1;
    }
  }

  convert(input: ConvertInput, options?: CallOptions): Promise<{ audio: MonoPcm; stats: SynthesisStats }> {
    return this.track((client) => client.convert(input, options));
  }

  timeStretch(input: StretchInput, options?: CallOptions): Promise<StretchResult> {
    return this.track((client) => client.timeStretch(input, options));
  }

  private async track<T>(call: (client: SidecarClient) => Promise<T>): Promise<T> {
    const client = this.currentClient();
    this.inFlight += 1;
    try {
      return await call(client);
    } finally {
      this.inFlight -= 1;
    }
  }
}
