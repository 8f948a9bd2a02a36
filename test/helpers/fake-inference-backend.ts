/**
 * An in-process InferenceBackend for HTTP tests: each segment becomes a tone whose length follows the text
 * (so lost text would show as lost duration) and whose pitch follows the seed (so seeds are observable).
 * Failures are scripted per call.
 */
import type { MonoPcm } from "../../src/domain/audio.js";
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
} from "../../src/domain/inference.js";
import { ClientGoneError } from "../../src/domain/errors.js";
import { harmonicTone, silence } from "./wav-builder.js";

export const FAKE_SAMPLE_RATE = 24000;
/** Seconds of audio per character of segment text. */
export const SECONDS_PER_CHAR = 0.01;

export interface FakeBackendOptions {
  /** Called before convert call `call` (0-based); throw to fail it. */
  beforeConvert?: (call: number, input: ConvertInput) => void | Promise<void>;
  /** Called before segment `index` of call `call`; throw to fail there. */
  beforeSegment?: (call: number, index: number, signal?: AbortSignal) => void | Promise<void>;
  /** Called when a call ends, with the error that ended it (undefined on success). */
  onCallEnd?: (call: number, error: unknown) => void;
  watermarked?: boolean;
  /** Reported as ignored on every call, as the real sidecar does for a parameter its engine lacks. */
  ignoredParameters?: string[];
  warnings?: string[];
}

export class FakeInferenceBackend implements InferenceBackend {
  readonly calls: SynthesisInput[] = [];
  readonly convertCalls: ConvertInput[] = [];

  constructor(private readonly options: FakeBackendOptions = {}) {}

  async modelInfo(): Promise<ModelInfo> {
    return {
      engine: "espeak",
      variant: undefined,
      device: "cpu",
      sampleRate: FAKE_SAMPLE_RATE,
      maxSegmentChars: 300,
      languages: ["en"],
      voiceConversion: false,
      watermarked: false,
      engineVersion: "fake 1.0",
      stretchLibraries: ["sox"],
      voiceMethod: "fake: a tone whose pitch follows the seed",
      warnings: [],
    };
  }

  async status(): Promise<WorkerStatus> {
    return { state: "ready", queueDepth: 0, queueCapacity: 4, runningRequestId: "" };
  }

  async *synthesizeStream(input: SynthesisInput, options: CallOptions = {}): AsyncIterable<SynthesisEvent> {
    const call = this.calls.push(input) - 1;
    let failure: unknown;
    try {
      yield* this.events(call, input, options.signal);
    } catch (error) {
      failure = error;
      throw error;
    } finally {
      this.options.onCallEnd?.(call, failure);
    }
  }

  /** Like the real client, a cancelled call fails with ClientGoneError before the next piece of work. */
  private async *events(call: number, input: SynthesisInput, signal?: AbortSignal): AsyncIterable<SynthesisEvent> {
    const checkCancelled = () => {
      if (signal?.aborted) throw new ClientGoneError("the call was cancelled");
    };
    yield { type: "start", sampleRate: FAKE_SAMPLE_RATE, segmentCount: input.segments.length, engine: "espeak" };
    let samples = 0;
    for (const [index, segment] of input.segments.entries()) {
      checkCancelled();
      await this.options.beforeSegment?.(call, index, signal);
      checkCancelled();
      const audio = this.speak(segment.text, segment.seed ?? 1, input.speed ?? 1);
      samples += audio.length;
      yield { type: "audio", samples: audio, segmentIndex: index, segmentFinal: true };
    }
    yield { type: "end", stats: this.stats(samples, input) };
  }

  /** Returns the source unchanged (it must be decoded samples, as the VC service sends), so lost or doubled
   *  audio shows in the output's length. */
  async convert(input: ConvertInput): Promise<{ audio: MonoPcm; stats: SynthesisStats }> {
    const call = this.convertCalls.push(input) - 1;
    await this.options.beforeConvert?.(call, input);
    if (!("pcm" in input.source)) throw new Error("the fake converts decoded samples only");
    const audio = input.source.pcm;
    const stats = {
      ...this.stats(audio.samples.length, { segments: [], params: {} }),
      voiceMethod: input.targetVoice ? "fake: the source is returned unchanged" : "",
    };
    return { audio, stats };
  }

  async timeStretch(_input: StretchInput): Promise<StretchResult> {
    throw new Error("not used by these tests");
  }

  /** A tone with 0.2 s of silence on both sides, so trimming has something to remove. */
  private speak(text: string, seed: number, speed: number): Float32Array {
    const seconds = (text.length * SECONDS_PER_CHAR) / speed;
    const tone = harmonicTone({ f0: 100 + (seed % 200), seconds, sampleRate: FAKE_SAMPLE_RATE, harmonics: [0.4, 0.2] });
    const pad = silence(0.2, FAKE_SAMPLE_RATE);
    const out = new Float32Array(pad.length * 2 + tone.length);
    out.set(tone, pad.length);
    return out;
  }

  private stats(samples: number, input: SynthesisInput): SynthesisStats {
    return {
      queueWaitMs: 0,
      timeToFirstAudioMs: 1,
      generationMs: 2,
      audioSamples: samples,
      watermarked: this.options.watermarked ?? false,
      stretchLibrary: input.speed ? "sox" : undefined,
      ignoredParameters: this.options.ignoredParameters ?? [],
      voiceMethod: input.voice ? "fake: the voice is not used" : "",
      stretchMs: input.speed ? 1.5 : 0,
      warnings: this.options.warnings ?? [],
    };
  }
}
