/**
 * An InferenceBackend that feeds the inference metrics from the stats of every synthesis and conversion it
 * passes through, so each service that speaks or converts (TTS, progressive streams, VC, jobs, realtime) is
 * measured without knowing about metrics. Everything else goes straight to the wrapped backend.
 */
import type { MonoPcm } from "../../domain/audio.js";
import type {
  CallOptions,
  CallPriority,
  ConvertInput,
  InferenceBackend,
  SynthesisEvent,
  SynthesisInput,
  SynthesisStats,
} from "../../domain/inference.js";
import type { InferenceMetrics } from "./inference-metrics.js";

/**
 * @param defaultEngine the engine the sidecar converts with (its default; a conversion's answer does not name
 *   it), as health reports it
 */
export function meteredBackend(
  backend: InferenceBackend,
  metrics: InferenceMetrics,
  defaultEngine: () => string,
): InferenceBackend {
  return {
    engines: (options) => backend.engines(options),
    status: (options) => backend.status(options),
    timeStretch: (input, options) => backend.timeStretch(input, options),
    transcribe: (input, options) => backend.transcribe(input, options),
    transcribeStream: (input, options) => backend.transcribeStream(input, options),
    transcriptionModels: (options) => backend.transcriptionModels(options),
    synthesizeStream: (input: SynthesisInput, options?: CallOptions) =>
      meteredEvents(backend.synthesizeStream(input, options), metrics, options?.priority ?? "standard"),
    async convert(input: ConvertInput, options?: CallOptions): Promise<{ audio: MonoPcm; stats: SynthesisStats }> {
      const result = await backend.convert(input, options);
      metrics.observe({
        operation: "conversion",
        priority: options?.priority ?? "standard",
        engine: defaultEngine(),
        stats: result.stats,
        sampleRate: result.audio.sampleRate,
      });
      return result;
    },
  };
}

/** The events unchanged; the `end` event's stats are observed before it is passed on. */
async function* meteredEvents(
  events: AsyncIterable<SynthesisEvent>,
  metrics: InferenceMetrics,
  priority: CallPriority,
): AsyncIterable<SynthesisEvent> {
  let start: { engine: string; sampleRate: number } | undefined;
  // Leaving this loop early (the consumer stopped listening) closes `events`, which cancels the call.
  for await (const event of events) {
    if (event.type === "start") start = { engine: event.engine, sampleRate: event.sampleRate };
    if (event.type === "end" && start) {
      metrics.observe({ operation: "synthesis", priority, stats: event.stats, ...start });
    }
    yield event;
  }
}
