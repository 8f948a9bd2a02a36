/**
 * POST /v1/audio/speech driven by the official `openai` npm SDK over HTTP (fake engine): every format decodes
 * to its codec, the body arrives while synthesis is still running, SSE parses, and errors raise the SDK's
 * error classes with our request id.
 */
import { expect } from "chai";
import OpenAI from "openai";
import { OverloadedError } from "../../../src/domain/errors.js";
import type { CallOptions, SynthesisEvent, SynthesisInput } from "../../../src/domain/inference.js";
import { decodeAudio } from "../../helpers/audio-file.js";
import { FakeInferenceBackend, FAKE_SAMPLE_RATE } from "../../helpers/fake-inference-backend.js";
import { probeAudio } from "../../helpers/ffprobe.js";
import { rejection } from "../../helpers/rejection.js";
import { startTestApp, type TestApp } from "../../helpers/test-app.js";

type SpeechParams = OpenAI.Audio.SpeechCreateParams;

/** Three sentences too long to be batched together: three segments. */
const TEXT = [
  "The first sentence is here, and it goes on for a while so that it fills a good part of one segment on its own, " +
    "without any help from the others.",
  "A second one follows it, just as long and just as slow, so that the engine has to speak it separately from the " +
    "first and from the third one.",
  "And the third one ends the text, once more long enough to stand alone as a segment of its own in the stream that " +
    "the server sends back.",
].join(" ");
/** Characters spoken: the text without the two spaces between its segments. */
const SPOKEN_CHARS = TEXT.length - 2;
/** Seconds of fake speech: 0.01 s per character of each segment plus 0.4 s of padding each. */
const SECONDS = SPOKEN_CHARS * 0.01 + 3 * 0.4;

/** Hooks a test sets for the fake's segments; cleared after each test. */
interface Hooks {
  beforeSegment?: (call: number, index: number, signal?: AbortSignal) => Promise<void> | void;
  onCallEnd?: (call: number, error: unknown) => void;
  overloaded?: boolean;
}

class HookedBackend extends FakeInferenceBackend {
  constructor(private readonly hooks: Hooks) {
    super({
      beforeSegment: (call, index, signal) => hooks.beforeSegment?.(call, index, signal),
      onCallEnd: (call, error) => hooks.onCallEnd?.(call, error),
      engines: ["piper", "espeak"],
      unavailable: [{ engine: "chatterbox", reason: "no weights in models/" }],
    });
  }

  override synthesizeStream(input: SynthesisInput, options?: CallOptions): AsyncIterable<SynthesisEvent> {
    if (this.hooks.overloaded) throw new OverloadedError("the inference queue is full", 3);
    return super.synthesizeStream(input, options);
  }
}

/** A promise and the function that resolves it. */
function gate(): { opened: Promise<void>; open: () => void } {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { opened, open };
}

describe("POST /v1/audio/speech (OpenAI SDK, fake engine)", () => {
  const hooks: Hooks = {};
  let app: TestApp;
  let client: OpenAI;
  before(async () => {
    app = await startTestApp({ backend: new HookedBackend(hooks) });
    client = new OpenAI({ baseURL: `${app.baseUrl}/v1`, apiKey: "test", maxRetries: 0 });
  });
  after(() => app.dispose());
  afterEach(() => {
    for (const key of Object.keys(hooks)) delete hooks[key as keyof Hooks];
  });

  const speech = (params: Partial<SpeechParams> & Record<string, unknown> = {}, options?: OpenAI.RequestOptions) =>
    client.audio.speech.create({ model: "tts-1", voice: "alloy", input: TEXT, ...params } as SpeechParams, options);
  const bytesOf = async (response: Response) => Buffer.from(await response.arrayBuffer());

  it("answers pcm as raw 24 kHz 16-bit samples of the whole text, equal to the wav's samples", async () => {
    const pcm = await bytesOf(await speech({ response_format: "pcm", seed: 7 }));
    const wav = await decodeAudio(await bytesOf(await speech({ response_format: "wav", seed: 7 })));
    expect(wav.sampleRate).to.equal(FAKE_SAMPLE_RATE);
    expect(pcm.length).to.equal(wav.samples.length * 2);
    expect(wav.samples.length / FAKE_SAMPLE_RATE).to.be.closeTo(SECONDS, 0.01);
    const fromPcm = new Int16Array(pcm.buffer, pcm.byteOffset, pcm.length / 2);
    const k = 12_000;
    expect(fromPcm[k]! / 32767).to.be.closeTo(wav.samples[k]!, 1 / 16384);
  });

  const CODECS = [
    ["mp3", "mp3", 24_000],
    ["opus", "opus", 48_000],
    ["aac", "aac", 24_000],
    ["flac", "flac", 24_000],
    ["wav", "pcm_s16le", 24_000],
  ] as const;
  for (const [format, codec, rate] of CODECS) {
    it(`answers ${format} that decodes as ${codec} at ${rate} Hz, as long as the speech`, async () => {
      const bytes = await bytesOf(await speech({ response_format: format }));
      expect(await probeAudio(bytes)).to.include({ codecName: codec, sampleRate: rate, channels: 1 });
      const audio = await decodeAudio(bytes);
      expect(audio.samples.length / audio.sampleRate).to.be.closeTo(SECONDS, 0.1);
    });
  }

  for (const format of ["pcm", "mp3"] as const) {
    it(`streams ${format}: the first bytes arrive while later segments are still being spoken`, async () => {
      const firstChunk = gate();
      hooks.beforeSegment = (_call, index) => (index === 2 ? firstChunk.opened : undefined);
      const response = await speech({ response_format: format });
      expect(response.headers.get("transfer-encoding")).to.equal("chunked");
      const reader = response.body!.getReader();
      const chunks: Uint8Array[] = [];
      for (let read = await reader.read(); !read.done; read = await reader.read()) {
        chunks.push(read.value);
        // Segment 3 is only spoken once a chunk has reached the client: a buffered response would hang here.
        firstChunk.open();
      }
      expect(chunks.length).to.be.greaterThan(1);
    });
  }

  it("sends SSE: speech.audio.delta events whose audio is the pcm, then speech.audio.done with usage", async () => {
    const pcm = await bytesOf(await speech({ response_format: "pcm", seed: 11 }));
    const response = await speech({ response_format: "pcm", seed: 11, stream_format: "sse" });
    expect(response.headers.get("content-type")).to.match(/^text\/event-stream/);
    const events = (await response.text())
      .split("\n\n")
      .filter((block) => block.startsWith("data: "))
      .map((block) => JSON.parse(block.slice("data: ".length)) as Record<string, any>);
    const deltas = events.filter((event) => event.type === "speech.audio.delta");
    expect(deltas.length).to.be.greaterThan(0);
    expect(Buffer.concat(deltas.map((d) => Buffer.from(d.audio as string, "base64")))).to.deep.equal(pcm);
    const done = events.at(-1)!;
    expect(done.type).to.equal("speech.audio.done");
    const ms = Math.round((pcm.length / 2 / FAKE_SAMPLE_RATE) * 1000);
    const usage = { input_tokens: SPOKEN_CHARS, output_tokens: ms, total_tokens: SPOKEN_CHARS + ms };
    expect(done.usage).to.deep.equal(usage);
  });

  it("takes the voice as {id} and the documented extensions, and gives the same seed the same audio", async () => {
    const a = await speech({ response_format: "pcm", voice: { id: "nova" }, seed: 5, exaggeration: 0.9 });
    expect(a.headers.get("x-generation-seed")).to.equal("5");
    const b = await bytesOf(await speech({ response_format: "pcm", voice: "nova", seed: 5, exaggeration: 0.9 }));
    expect(await bytesOf(a)).to.deep.equal(b);
    expect(JSON.parse(a.headers.get("x-warnings") ?? "[]")).to.deep.equal([]);
  });

  it("maps tone instructions to a preset and reports instructions it cannot follow", async () => {
    const calm = await speech({ response_format: "pcm", instructions: "Speak in a calm, gentle voice." });
    expect(calm.headers.get("x-instructions-preset")).to.equal("calm");
    const other = await speech({ response_format: "pcm", instructions: "Whisper like a pirate" });
    expect(other.headers.get("x-instructions-preset")).to.equal(null);
    expect(JSON.parse(other.headers.get("x-warnings")!)).to.deep.equal([
      "instructions had no effect: only tone presets are understood (calm, expressive; see docs/api/openai.md)",
    ]);
  });

  it("speaks each model with its engine: tts-1 with piper, an engine's own id with it, tts-1-hd with a warning", async () => {
    const engineOf = async (model: string) => {
      const response = await speech({ model, response_format: "pcm" });
      return {
        engine: response.headers.get("x-engine"),
        warnings: JSON.parse(response.headers.get("x-warnings") ?? "[]"),
      };
    };
    expect(await engineOf("tts-1")).to.deep.equal({ engine: "piper", warnings: [] });
    expect(await engineOf("espeak")).to.deep.equal({ engine: "espeak", warnings: [] });
    expect(await engineOf("tts-1-hd")).to.deep.equal({
      engine: "piper",
      warnings: [
        "model tts-1-hd maps to chatterbox (config openai.model_engines), but engine chatterbox is not loaded " +
          "(no weights in models/); loaded: piper, espeak; the default engine piper spoke instead",
      ],
    });
    const chatterbox = await rejection<InstanceType<typeof OpenAI.NotFoundError>>(speech({ model: "chatterbox" }));
    expect(chatterbox).to.be.instanceOf(OpenAI.NotFoundError).and.to.include({ param: "model" });
    expect(chatterbox.message).to.include("engine chatterbox is not loaded (no weights in models/)");
  });

  it("reports fields it does not know instead of dropping them silently", async () => {
    const response = await speech({ response_format: "pcm", volume: 3 });
    expect(JSON.parse(response.headers.get("x-warnings")!)).to.deep.equal([
      "Unknown field 'volume' is not part of the speech request and was not used",
    ]);
  });

  it("raises the SDK's BadRequestError naming the field, with our request id", async () => {
    const tooLong = await rejection<InstanceType<typeof OpenAI.BadRequestError>>(speech({ input: "a".repeat(4097) }));
    expect(tooLong).to.be.instanceOf(OpenAI.BadRequestError);
    expect(tooLong).to.include({ param: "input", type: "invalid_request_error" });
    expect(tooLong.requestID).to.match(/^[0-9a-f-]{36}$/);
    expect(tooLong.headers?.get("x-should-retry")).to.equal("false");
    const speed = await rejection<InstanceType<typeof OpenAI.BadRequestError>>(speech({ speed: 4.5 }));
    expect(speed).to.be.instanceOf(OpenAI.BadRequestError).and.to.include({ param: "speed" });
    const format = await rejection<InstanceType<typeof OpenAI.BadRequestError>>(
      speech({ response_format: "ogg" as never }),
    );
    expect(format).to.be.instanceOf(OpenAI.BadRequestError).and.to.include({ param: "response_format" });
  });

  it("raises NotFoundError for a voice that is neither in the library nor an alias: never a silent fallback", async () => {
    const error = await rejection<InstanceType<typeof OpenAI.NotFoundError>>(speech({ voice: "nobody" }));
    expect(error).to.be.instanceOf(OpenAI.NotFoundError).and.to.include({ param: "voice" });
  });

  it("raises NotFoundError for a model it does not serve", async () => {
    const error = await rejection<InstanceType<typeof OpenAI.NotFoundError>>(speech({ model: "gpt-5-voice" }));
    expect(error).to.be.instanceOf(OpenAI.NotFoundError).and.to.include({ param: "model" });
  });

  it("raises RateLimitError with Retry-After when the engine's queue is full, and lets the SDK retry it", async () => {
    hooks.overloaded = true;
    const error = await rejection<InstanceType<typeof OpenAI.RateLimitError>>(speech());
    expect(error).to.be.instanceOf(OpenAI.RateLimitError);
    expect(error.headers?.get("retry-after")).to.equal("3");
    expect(error.headers?.get("x-should-retry")).to.equal(null);
  });

  it("answers unknown paths and methods under /v1 with OpenAI's error body", async () => {
    const missing = await rejection<InstanceType<typeof OpenAI.NotFoundError>>(client.get("/audio/nothing"));
    expect(missing).to.be.instanceOf(OpenAI.NotFoundError);
    const wrongMethod = await fetch(`${app.baseUrl}/v1/audio/speech`);
    expect(wrongMethod.status).to.equal(405);
    expect(wrongMethod.headers.get("x-should-retry")).to.equal("false");
    expect(wrongMethod.headers.get("x-request-id")).to.match(/^[0-9a-f-]{36}$/);
    const body = (await wrongMethod.json()) as { error: Record<string, unknown> };
    expect(Object.keys(body.error).sort()).to.deep.equal(["code", "message", "param", "type"]);
  });

  it("cancels the engine's call before its next segment when the client goes away mid-stream", async () => {
    const ended = gate();
    const reached: number[] = [];
    hooks.beforeSegment = (_call, index, signal) => {
      reached.push(index);
      // Segment 2 waits for the call to be cancelled: it never is if the disconnect does not reach the engine.
      if (index !== 1) return undefined;
      return new Promise<void>((resolve) => signal!.addEventListener("abort", () => resolve()));
    };
    let endError: unknown;
    hooks.onCallEnd = (_call, error) => {
      endError = error;
      ended.open();
    };
    const controller = new AbortController();
    const input = "One more sentence to speak here. ".repeat(30);
    const response = await speech({ input, response_format: "pcm" }, { signal: controller.signal });
    await response.body!.getReader().read();
    controller.abort();
    await ended.opened;
    expect(reached).to.deep.equal([0, 1]);
    expect((endError as Error).name).to.equal("ClientGoneError");
  });
});
