/**
 * An in-process InferenceBackend for HTTP tests: each segment becomes a tone whose length follows the text
 * (so lost text would show as lost duration) and whose pitch follows the seed (so seeds are observable).
 * Speech recognition knows what it hears: the fake remembers the text and seed of every segment it spoke and
 * recognises the audio by its content, so a test can script what is "misheard" in which try.
 * Failures are scripted per call.
 */
import { createHash } from "node:crypto";
import type { MonoPcm } from "../../src/domain/audio.js";
import type {
  CallOptions,
  ConvertInput,
  EngineName,
  InferenceBackend,
  LoadedEngines,
  ModelInfo,
  StretchInput,
  StretchResult,
  SynthesisEvent,
  SynthesisInput,
  SynthesisStats,
  TranscribeInput,
  Transcript,
  TranscriptionEvent,
  TranscriptionModels,
  UnavailableEngine,
  WorkerStatus,
} from "../../src/domain/inference.js";
import { ClientGoneError, ModelNotReadyError } from "../../src/domain/errors.js";
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
  /** Speech recognition; by default available, with the models "base" and "tiny.en" installed. */
  stt?: FakeSttOptions;
  /** The loaded engines, the default first (by default espeak alone), and those asked for but not loaded. */
  engines?: EngineName[];
  unavailable?: UnavailableEngine[];
  /** The queue wait and work time every call reports in its stats; by default 0 and 2 ms. */
  timing?: { queueWaitMs: number; generationMs: number };
}

/** A segment the fake spoke, as its speech recognition hears it. */
export interface SpokenSegment {
  text: string;
  seed: number;
}

export interface FakeSttOptions {
  /** false: faster-whisper is "not installed" (the model list says so and transcription fails). */
  available?: boolean;
  /** Installed model names; the first is what an unknown name falls back to. */
  installed?: string[];
  /** What recognition hears in a spoken segment; by default its text, exactly. */
  hear?: (spoken: SpokenSegment) => string;
  /** Called before each transcription (0-based); throw to fail it. */
  beforeTranscribe?: (call: number, input: TranscribeInput) => void | Promise<void>;
}

export class FakeInferenceBackend implements InferenceBackend {
  readonly calls: SynthesisInput[] = [];
  /** The options of each synthesis call, in the order of `calls`. */
  readonly callOptions: CallOptions[] = [];
  readonly convertCalls: ConvertInput[] = [];
  readonly transcribeCalls: TranscribeInput[] = [];
  /** Every segment spoken, by the SHA-256 of its samples. */
  private readonly spoken = new Map<string, SpokenSegment>();

  constructor(private readonly options: FakeBackendOptions = {}) {}

  /** The text and seed `audio` (one segment, as the engine returned it) was spoken with. */
  heard(audio: MonoPcm): SpokenSegment {
    const spoken = this.spoken.get(fingerprint(audio.samples));
    if (!spoken) throw new Error("this audio was not spoken by the fake engine as one segment");
    return spoken;
  }

  async engines(): Promise<LoadedEngines> {
    const loaded = (this.options.engines ?? ["espeak"]).map(fakeModelInfo);
    return { default: loaded[0]!, loaded, unavailable: this.options.unavailable ?? [] };
  }

  async status(): Promise<WorkerStatus> {
    return { state: "ready", queueDepth: 0, queueCapacity: 4, runningRequestId: "" };
  }

  async *synthesizeStream(input: SynthesisInput, options: CallOptions = {}): AsyncIterable<SynthesisEvent> {
    const call = this.calls.push(input) - 1;
    this.callOptions.push(options);
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
    const engine = input.engine ?? (await this.engines()).default.engine;
    yield { type: "start", sampleRate: FAKE_SAMPLE_RATE, segmentCount: input.segments.length, engine };
    let samples = 0;
    for (const [index, segment] of input.segments.entries()) {
      checkCancelled();
      await this.options.beforeSegment?.(call, index, signal);
      checkCancelled();
      const audio = fakeSpeech(segment.text, segment.seed ?? 1, input.speed ?? 1);
      this.spoken.set(fingerprint(audio), { text: segment.text, seed: segment.seed ?? 1 });
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

  async transcriptionModels(): Promise<TranscriptionModels> {
    const { available = true } = this.options.stt ?? {};
    const models = available ? this.installedModels() : [];
    return {
      available,
      engineVersion: available ? "fake-whisper 1.0" : "",
      models: models.map((name) => ({
        name,
        installed: true,
        multilingual: !name.endsWith(".en"),
        loaded: false,
        sizeBytes: 1,
      })),
      defaultModel: models[0] ?? "",
      memoryBudgetMb: 100,
    };
  }

  /**
   * Hears what the fake spoke in that audio (through `hear`), nothing in audio it did not speak; an unknown
   * model falls back to the first installed one, with a warning.
   */
  async transcribe(input: TranscribeInput): Promise<Transcript> {
    const call = this.transcribeCalls.push(input) - 1;
    if (this.options.stt?.available === false) throw new ModelNotReadyError("faster-whisper is not installed", 5);
    await this.options.stt?.beforeTranscribe?.(call, input);
    const pcm = "pcm" in input.audio ? input.audio.pcm : undefined;
    const spoken = pcm && this.spoken.get(fingerprint(pcm.samples));
    // Audio the fake did not speak (an upload, say) holds no words it can recognise.
    const text = spoken ? (this.options.stt?.hear ?? ((s: SpokenSegment) => s.text))(spoken) : "";
    const installed = this.installedModels();
    const model = installed.includes(input.model ?? "") ? input.model! : installed[0]!;
    const warnings =
      model === input.model ? [] : [`Whisper model '${input.model}' is not installed; '${model}' was used`];
    const seconds = pcm ? pcm.samples.length / pcm.sampleRate : 0;
    const segment = { id: 0, start: 0, end: seconds, text, avgLogprob: -0.1, noSpeechProb: 0, compressionRatio: 1 };
    return {
      info: {
        model,
        language: input.language ?? "en",
        languageProbability: 1,
        durationSeconds: seconds,
        warnings,
        device: "cpu",
      },
      text,
      segments: [{ ...segment, temperature: input.temperature ?? 0, tokens: [], words: [], seek: 0 }],
      stats: { queueWaitMs: 0, loadMs: 0, processingMs: 1 },
    };
  }

  async *transcribeStream(input: TranscribeInput): AsyncIterable<TranscriptionEvent> {
    const transcript = await this.transcribe(input);
    yield { type: "start", info: transcript.info };
    for (const segment of transcript.segments) yield { type: "segment", segment };
    yield { type: "end", text: transcript.text, stats: transcript.stats };
  }

  private installedModels(): string[] {
    return this.options.stt?.installed ?? ["base", "tiny.en"];
  }

  private stats(samples: number, input: SynthesisInput): SynthesisStats {
    return {
      queueWaitMs: this.options.timing?.queueWaitMs ?? 0,
      timeToFirstAudioMs: 1,
      generationMs: this.options.timing?.generationMs ?? 2,
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

/**
 * A tone with 0.2 s of silence on both sides, so trimming has something to remove. The first two samples
 * of the silence carry the seed at about -120 dBFS, far below every level the server or a listener acts
 * on, so that recognition can tell apart two tries of one text whose seeds give the same pitch, and a test
 * can read which try's audio a lossless output holds (seedsInSpeech).
 */
function fakeSpeech(text: string, seed: number, speed: number): Float32Array {
  const seconds = (text.length * SECONDS_PER_CHAR) / speed;
  const tone = harmonicTone({ f0: 100 + (seed % 200), seconds, sampleRate: FAKE_SAMPLE_RATE, harmonics: [0.4, 0.2] });
  const pad = silence(0.2, FAKE_SAMPLE_RATE);
  const out = new Float32Array(pad.length * 2 + tone.length);
  out.set(tone, pad.length);
  // Both values are integers below 2^20 times 2^-40: exact in float32.
  out[0] = (seed % 2 ** 20) * 2 ** -40;
  out[1] = Math.floor(seed / 2 ** 20) * 2 ** -40;
  return out;
}

/**
 * The seed each segment of unprocessed fake speech (32-bit float, speed 1, no post-processing) was spoken
 * with, read from the marks fakeSpeech leaves; `texts` are the segments' texts in order.
 */
export function seedsInSpeech(samples: Float32Array, texts: readonly string[]): number[] {
  let offset = 0;
  return texts.map((text) => {
    const seed = samples[offset]! * 2 ** 40 + samples[offset + 1]! * 2 ** 60;
    offset += fakeSpeech(text, 1, 1).length;
    return seed;
  });
}

function fingerprint(samples: Float32Array): string {
  return createHash("sha256")
    .update(Buffer.from(samples.buffer, samples.byteOffset, samples.byteLength))
    .digest("hex");
}

function fakeModelInfo(engine: EngineName): ModelInfo {
  return {
    engine,
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
    voiceName: "",
    voiceLicence: "",
    memoryMb: 0,
    warnings: [],
  };
}
