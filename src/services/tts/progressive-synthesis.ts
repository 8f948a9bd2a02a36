/**
 * Starts one streaming call for every segment of a prepared request and hands its audio out as it arrives
 * (see speech-stream.ts). Each segment gets the seed the file-producing pipeline gives its first try, so a
 * progressive request speaks the same audio as the same request unverified. The call is started, and its
 * `start` event awaited, before the stream is returned: every refusal (overload, no model, bad voice) is an
 * ordinary error response, not a broken stream.
 */
import { InferenceFailedError } from "../../domain/errors.js";
import type { InferenceBackend, SynthesisEvent, SynthesisInput, SynthesisStats } from "../../domain/inference.js";
import { watermarkWarning } from "../request-warnings.js";
import { deriveSegmentSeed } from "../seeds.js";
import type { SegmentCallOptions } from "./segment-synthesizer.js";
import { synthesisSettings, type SynthesisSettingsSpec } from "./synthesis-settings.js";
import type { SpeechChunk, SpeechStream, SpeechStreamSummary } from "./speech-stream.js";
import type { TtsRequest } from "./tts-request.js";
import { ignoredParameterWarning } from "./tts-warnings.js";

export interface ProgressiveSpec extends SynthesisSettingsSpec {
  texts: string[];
  seedUsed: number;
  /** Known before any audio. */
  warnings: string[];
  /**
   * Runs once the returned stream's audio has been handed out or abandoned, whether or not it succeeded
   * (not when starting fails: the caller cleans up then); never throws.
   */
  finish(succeeded: boolean): Promise<void>;
}

export async function startProgressive(
  backend: InferenceBackend,
  spec: ProgressiveSpec,
  call: SegmentCallOptions,
): Promise<SpeechStream> {
  const events = backend.synthesizeStream(synthesisInput(spec), call)[Symbol.asyncIterator]();
  const first = await events.next();
  if (first.done || first.value.type !== "start") {
    await events.return?.();
    throw new InferenceFailedError("The inference engine did not start the stream.");
  }
  const { engine, sampleRate } = first.value;
  const totals = { samples: 0, stats: [] as SynthesisStats[] };
  return {
    engine,
    sampleRate,
    seedUsed: spec.seedUsed,
    segmentCount: spec.texts.length,
    characters: spec.texts.reduce((sum, text) => sum + text.length, 0),
    warnings: spec.warnings,
    chunks: relay(events, spec, totals),
    summary: (): SpeechStreamSummary => ({
      warnings: [...spec.warnings, ...engineWarnings(spec.request, totals.stats, engine)],
      durationSeconds: totals.samples / sampleRate,
    }),
  };
}

/** The one SynthesizeStream input of a progressive request: every segment with its first try's seed. */
export function synthesisInput(
  spec: Pick<ProgressiveSpec, "request" | "texts" | "seedUsed" | "voice" | "engine">,
): SynthesisInput {
  return {
    segments: spec.texts.map((text, chunkIndex) => ({
      text,
      seed: deriveSegmentSeed({ base: spec.seedUsed, chunkIndex, candidate: 0, attempt: 0 }),
    })),
    ...synthesisSettings(spec),
  };
}

async function* relay(
  events: AsyncIterator<SynthesisEvent>,
  spec: ProgressiveSpec,
  totals: { samples: number; stats: SynthesisStats[] },
): AsyncGenerator<SpeechChunk> {
  let succeeded = false;
  try {
    for (let next = await events.next(); !next.done; next = await events.next()) {
      const event = next.value;
      if (event.type === "end") totals.stats.push(event.stats);
      if (event.type !== "audio") continue;
      totals.samples += event.samples.length;
      yield { samples: event.samples, segmentIndex: event.segmentIndex, segmentFinal: event.segmentFinal };
    }
    succeeded = true;
  } finally {
    // A consumer that stops early cancels the sidecar call.
    if (!succeeded) await events.return?.();
    await spec.finish(succeeded);
  }
}

/** What the engine reported at the end: parameters it does not use, the watermark, its own warnings. */
function engineWarnings(request: TtsRequest, stats: SynthesisStats[], engine: string): string[] {
  const ignored = [...new Set(stats.flatMap((s) => s.ignoredParameters))];
  const watermarked = stats.some((s) => s.watermarked);
  return [
    ignoredParameterWarning(request, ignored, engine),
    watermarkWarning(request.options.disable_watermark, watermarked, engine),
    ...new Set(stats.flatMap((s) => s.warnings)),
  ].filter((warning): warning is string => warning !== undefined);
}
