/**
 * What the sidecar says about each engine call it finished: how long the call waited in its admission queue
 * before the worker took it, and how fast the engine worked compared with the audio it produced. Both come
 * from the call's SynthesisStats (the sidecar measures them around its worker), so they leave out the network
 * and the server's own work; calls that fail or are cancelled report no stats and are not observed.
 */
import { Histogram, type Registry } from "prom-client";
import type { CallPriority, SynthesisStats } from "../../domain/inference.js";

/** `synthesis`: TTS of every kind (files, streams, progressive streams, jobs, realtime); `conversion`: VC. */
export type InferenceOperation = "synthesis" | "conversion";

export interface EngineCall {
  operation: InferenceOperation;
  /** The call's queue lane: interactive for progressive streams, batch for jobs, else standard. */
  priority: CallPriority;
  engine: string;
  stats: SynthesisStats;
  /** Of the audio the stats count (`audioSamples`). */
  sampleRate: number;
}

export interface InferenceMetrics {
  observe(call: EngineCall): void;
}

/** From no wait to the longest a queued call may wait for a long synthesis ahead of it. */
const QUEUE_WAIT_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120];
/** Fast CPU engines work at a few hundredths of real time; a struggling GPU model past 1. */
const REAL_TIME_FACTOR_BUCKETS = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 0.75, 1, 1.5, 2, 3, 5, 10];

export function createInferenceMetrics(registry: Registry): InferenceMetrics {
  const registers = [registry];
  const queueWait = new Histogram({
    name: "inference_queue_wait_seconds",
    help: "Time a finished engine call waited in the sidecar's queue before its work started, as the sidecar reports it",
    labelNames: ["operation", "priority"] as const,
    buckets: QUEUE_WAIT_BUCKETS,
    registers,
  });
  const realTimeFactor = new Histogram({
    name: "inference_real_time_factor",
    help: "Engine work time of a finished call divided by the duration of the audio it produced (below 1: faster than real time)",
    labelNames: ["operation", "engine"] as const,
    buckets: REAL_TIME_FACTOR_BUCKETS,
    registers,
  });
  return {
    observe({ operation, priority, engine, stats, sampleRate }) {
      queueWait.observe({ operation, priority }, stats.queueWaitMs / 1000);
      const audioSeconds = stats.audioSamples / sampleRate;
      // No audio, no ratio: an empty result would divide by zero.
      if (audioSeconds > 0) realTimeFactor.observe({ operation, engine }, stats.generationMs / 1000 / audioSeconds);
    },
  };
}
