import { expect } from "chai";
import { InferenceFailedError, OverloadedError } from "../../../src/domain/errors.js";
import { deriveSegmentSeed } from "../../../src/services/seeds.js";
import { decodeAudio } from "../../helpers/audio-file.js";
import {
  FakeInferenceBackend,
  seedsInSpeech,
  type FakeBackendOptions,
  type SpokenSegment,
} from "../../helpers/fake-inference-backend.js";
import { startTestApp, type TestApp } from "../../helpers/test-app.js";

/** Verification on, as shipped (config.yaml), unlike the other tests' bypass. */
const VERIFIED = "tts_defaults:\n  bypass_whisper_checking: false\n  whisper_model_name: base\n";
const SEED = 7;
/** Three chunks; chunk 2 (index 1) has four words, so one wrong word is a word error rate of 0.25. */
const TEXT = "Alpha one here. Beta two here now. Gamma three.";
const CHUNK_2 = "beta two here now.";
const BODY = { text: TEXT, seed: SEED, smart_batch_short_sentences: false, export_formats: ["wav"] };

/** The seed of one try, as the server derives it from the request's seed. */
const seedOf = (chunkIndex: number, candidate: number, attempt: number) =>
  deriveSegmentSeed({ base: SEED, chunkIndex, candidate, attempt });

/** Recognition that hears `transcript` in the try of chunk 2 spoken with `seed`, and everything else right. */
function mishears(bySeed: Record<number, string>): (spoken: SpokenSegment) => string {
  return ({ text, seed }) => (text === CHUNK_2 ? (bySeed[seed] ?? text) : text);
}

/** The JSON answer; `verification` is compared whole. */
interface Json {
  warnings: string[];
  verification: Record<string, unknown>;
  output_files: Array<{ url: string }>;
}

describe("POST /api/v1/tts verified by speech recognition (fake engine)", () => {
  let app: TestApp | undefined;
  let backend: FakeInferenceBackend;
  afterEach(async () => {
    await app?.dispose();
    app = undefined;
  });

  async function start(options: FakeBackendOptions = {}, yaml = VERIFIED) {
    backend = new FakeInferenceBackend(options);
    app = await startTestApp({ backend, yaml });
  }

  const post = (body: object, query = "?response_mode=json") =>
    fetch(`${app!.baseUrl}/api/v1/tts${query}`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(body),
    });

  async function tts(body: object): Promise<Json> {
    const response = await post(body);
    expect(response.status, await response.clone().text()).to.equal(200);
    return (await response.json()) as Json;
  }

  const get = (url: string) => fetch(`${app!.baseUrl}${url}`);
  const companionOf = async (json: Json) => (await (await get(`${json.output_files[0]!.url}.json`)).json()) as any;
  /** The seed each chunk's audio in the WAV was spoken with (the fake marks its speech). */
  const seedsHeard = async (json: Json) => {
    const wav = await decodeAudio(Buffer.from(await (await get(json.output_files[0]!.url)).arrayBuffer()));
    const texts = backend.calls[0]!.segments.map((s) => s.text);
    return seedsInSpeech(wav.samples, texts);
  };

  it("retries a chunk whose transcript misses a word and keeps the try that passes", async () => {
    await start({ stt: { hear: mishears({ [seedOf(1, 0, 0)]: "beta here now." }) } });
    const json = await tts(BODY);
    expect(json.verification).to.deep.equal({
      applied: true,
      model: "base",
      max_wer: 0.15,
      chunks: 3,
      chunks_retried: 1,
      tries: 4,
      chunks_failed: 0,
    });
    expect(json.warnings).to.deep.equal([]);
    // One call for every chunk, then one for the failing chunk only, with its next attempt's seed.
    expect(backend.calls.map((call) => call.segments)).to.deep.equal([
      [
        { text: "alpha one here.", seed: seedOf(0, 0, 0) },
        { text: CHUNK_2, seed: seedOf(1, 0, 0) },
        { text: "gamma three.", seed: seedOf(2, 0, 0) },
      ],
      [{ text: CHUNK_2, seed: seedOf(1, 0, 1) }],
    ]);
    expect(await seedsHeard(json)).to.deep.equal([seedOf(0, 0, 0), seedOf(1, 0, 1), seedOf(2, 0, 0)]);
    // Deterministic recognition: temperature 0 and a beam of 5, in the request's language.
    const asked = backend.transcribeCalls.map((c) => [c.model, c.language, c.temperature, c.beamSize]);
    expect(asked).to.deep.equal(Array(4).fill(["base", "en", 0, 5]));
    const verification = (await companionOf(json)).verification;
    expect(verification).to.deep.include({ ...json.verification, language: "en" });
    const [first, second, third] = verification.chunk_details;
    expect(first).to.deep.include({ index: 0, text: "alpha one here.", passed: true });
    expect(third.tries).to.have.length(1);
    const duration = 0.58; // 0.4 s of silence and 0.01 s per character
    expect(second).to.deep.equal({
      index: 1,
      text: CHUNK_2,
      chosen: { candidate: 0, attempt: 1 },
      passed: true,
      tries: [
        {
          candidate: 0,
          attempt: 0,
          seed: seedOf(1, 0, 0),
          transcript: "beta here now.",
          wer: 0.25,
          duration_seconds: duration,
        },
        { candidate: 0, attempt: 1, seed: seedOf(1, 0, 1), transcript: CHUNK_2, wer: 0, duration_seconds: duration },
      ],
    });
  });

  it("transcribes each chunk as soon as the engine finishes it, while it speaks the next", async () => {
    const heardBeforeSegment: number[] = [];
    await start({
      beforeSegment: (call) => void (call === 0 && heardBeforeSegment.push(backend.transcribeCalls.length)),
    });
    await tts(BODY);
    expect(heardBeforeSegment).to.deep.equal([0, 1, 2]);
  });

  it("uses the try with the lowest word error rate when every try fails, and says so", async () => {
    const hear = mishears({
      [seedOf(1, 0, 0)]: "beta",
      [seedOf(1, 0, 1)]: "two now",
      [seedOf(1, 1, 0)]: "beta two now", // the best: one word missing
      [seedOf(1, 1, 1)]: "here",
    });
    await start({ stt: { hear } });
    const body = { ...BODY, num_candidates_per_chunk: 2, max_attempts_per_candidate: 2 };
    const json = await tts({ ...body, use_longest_transcript_on_fail: false });
    expect(json.verification).to.deep.include({ chunks_retried: 1, tries: 6, chunks_failed: 1 });
    expect(json.warnings).to.deep.equal([
      "chunk 2 did not pass Whisper validation (word error rate at most 0.15) in 4 tries; " +
        "the try with the lowest word error rate was used",
    ]);
    expect(backend.calls.map((call) => call.segments.map((s) => s.seed))).to.deep.equal([
      [seedOf(0, 0, 0), seedOf(1, 0, 0), seedOf(2, 0, 0)],
      [seedOf(1, 0, 1)],
      [seedOf(1, 1, 0)],
      [seedOf(1, 1, 1)],
    ]);
    expect(await seedsHeard(json)).to.deep.equal([seedOf(0, 0, 0), seedOf(1, 1, 0), seedOf(2, 0, 0)]);
    const chunk = (await companionOf(json)).verification.chunk_details[1];
    expect(chunk).to.deep.include({ chosen: { candidate: 1, attempt: 0 }, passed: false });
    expect(chunk.tries.map((t: { wer: number }) => t.wer)).to.deep.equal([0.75, 0.5, 0.25, 0.75]);
  });

  it("uses the longest transcript instead with use_longest_transcript_on_fail", async () => {
    const hear = mishears({
      [seedOf(1, 0, 0)]: "beta two",
      [seedOf(1, 0, 1)]: "beta two here now and more", // the longest, though not the closest
      [seedOf(1, 1, 0)]: "beta two here",
      [seedOf(1, 1, 1)]: "bta",
    });
    await start({ stt: { hear } });
    const json = await tts({ ...BODY, num_candidates_per_chunk: 2, max_attempts_per_candidate: 2 });
    expect(json.warnings[0]).to.match(/the try with the longest transcript was used$/);
    expect(await seedsHeard(json)).to.deep.equal([seedOf(0, 0, 0), seedOf(1, 0, 1), seedOf(2, 0, 0)]);
    const chunk = (await companionOf(json)).verification.chunk_details[1];
    expect(chunk).to.deep.include({ chosen: { candidate: 0, attempt: 1 }, passed: false });
  });

  it("speaks a failing chunk once with an engine that gives the same audio for every seed, and says so", async () => {
    // The real sidecar names `seed` among Piper's ignored parameters whenever segments carry seeds.
    const hear = ({ text }: SpokenSegment) => (text === CHUNK_2 ? "beta too here now." : text);
    await start({ engines: ["piper"], ignoredParameters: ["seed"], stt: { hear } });
    const json = await tts(BODY);
    expect(backend.calls.map((call) => call.segments.length)).to.deep.equal([3]);
    expect(backend.transcribeCalls).to.have.length(3);
    expect(json.verification).to.deep.include({ applied: true, chunks_retried: 0, tries: 3, chunks_failed: 1 });
    expect(json.warnings).to.deep.equal([
      "the piper engine gives the same audio for every seed, so chunks that failed Whisper validation were not " +
        "tried again (num_candidates_per_chunk and max_attempts_per_candidate had no effect on them)",
      "chunk 2 did not pass Whisper validation (word error rate at most 0.15) in 1 try; " +
        "the try with the longest transcript was used",
      // The request sent a seed, which this engine cannot use.
      "the piper engine does not use seed; it has no effect",
    ]);
    const chunk = (await companionOf(json)).verification.chunk_details[1];
    expect(chunk).to.deep.include({ chosen: { candidate: 0, attempt: 0 }, passed: false });
    expect(chunk.tries).to.have.length(1);
    expect(chunk.tries[0]).to.deep.include({ seed: seedOf(1, 0, 0), transcript: "beta too here now.", wer: 0.25 });
  });

  it("counts an engine failure or a failed recognition as a failed try", async () => {
    await start({
      beforeSegment: (call, index) => {
        if (call === 0 && index === 1) throw new InferenceFailedError("boom");
      },
      stt: {
        beforeTranscribe: (call) => {
          if (call === 0) throw new InferenceFailedError("decoder crashed");
        },
      },
    });
    const json = await tts(BODY);
    expect(json.verification).to.deep.include({ chunks_retried: 2, tries: 5, chunks_failed: 0 });
    const [first, second] = (await companionOf(json)).verification.chunk_details;
    expect(first.tries[0]).to.deep.include({
      transcript: "",
      wer: 1,
      error: "speech recognition failed: decoder crashed",
    });
    expect(first.chosen).to.deep.equal({ candidate: 0, attempt: 1 });
    expect(second.tries[0]).to.deep.include({ transcript: null, wer: null, duration_seconds: null, error: "boom" });
    expect(second.chosen).to.deep.equal({ candidate: 0, attempt: 1 });
  });

  it("ends the request when recognition is overloaded (429), as for synthesis", async () => {
    await start({
      stt: {
        beforeTranscribe: () => {
          throw new OverloadedError("queue full", 2);
        },
      },
    });
    const response = await post(BODY);
    expect(response.status).to.equal(429);
    expect(response.headers.get("retry-after")).to.equal("2");
  });

  it("gives identical audio and identical checks for the same seed", async () => {
    await start({ stt: { hear: mishears({ [seedOf(1, 0, 0)]: "beta here now." }) } });
    const [a, b] = [await tts(BODY), await tts(BODY)];
    const bytes = async (json: Json) => Buffer.from(await (await get(json.output_files[0]!.url)).arrayBuffer());
    expect((await bytes(a)).equals(await bytes(b))).to.equal(true);
    expect((await companionOf(a)).verification).to.deep.equal((await companionOf(b)).verification);
    expect(a.verification.chunks_retried).to.equal(1);
  });

  it("skips recognition with bypass_whisper_checking: one candidate per chunk, reported in X-Verification", async () => {
    await start();
    const body = { ...BODY, bypass_whisper_checking: true, num_candidates_per_chunk: 3 };
    const response = await post(body, "");
    expect(response.status).to.equal(200);
    const expected = {
      applied: false,
      reason: "bypass_whisper_checking is true",
      model: null,
      max_wer: 0.15,
      chunks: 3,
      chunks_retried: 0,
      tries: 3,
      chunks_failed: 0,
    };
    expect(JSON.parse(response.headers.get("x-verification") ?? "{}")).to.deep.equal(expected);
    expect(JSON.parse(response.headers.get("x-warnings") ?? "[]")).to.deep.equal([
      "num_candidates_per_chunk=3: without a validator one candidate per chunk is generated, " +
        "since extra candidates could never be chosen",
    ]);
    expect(backend.transcribeCalls).to.deep.equal([]);
    expect(backend.calls).to.have.length(1);
    const chunk = (await companionOf(await tts(body))).verification.chunk_details[0];
    expect(chunk).to.deep.include({ passed: null, chosen: { candidate: 0, attempt: 0 } });
    expect(chunk.tries[0]).to.deep.include({ transcript: null, wer: null, seed: seedOf(0, 0, 0) });
  });

  it("generates unverified when speech recognition is missing, warning only about what was asked", async () => {
    await start({ stt: { available: false } });
    const quiet = await tts(BODY);
    const reason = "speech recognition (faster-whisper) is not installed in the inference sidecar";
    expect(quiet.warnings).to.deep.equal([]);
    expect(quiet.verification).to.deep.include({ applied: false, reason, tries: 3 });
    expect((await companionOf(quiet)).verification).to.deep.include({ applied: false, reason });
    const asked = await tts({ ...BODY, whisper_model_name: "tiny.en", num_candidates_per_chunk: 2 });
    expect(asked.warnings).to.deep.equal([
      `Whisper validation is not available on this server (${reason}), so candidates were not transcribed or ` +
        "checked; whisper_model_name had no effect",
      "num_candidates_per_chunk=2: without a validator one candidate per chunk is generated, " +
        "since extra candidates could never be chosen",
    ]);
    expect(backend.calls.every((call) => call.segments.length === 3)).to.equal(true);
    expect(backend.transcribeCalls).to.deep.equal([]);
  });

  it("generates unverified when no Whisper model is installed", async () => {
    await start({ stt: { installed: [] } });
    const reason = "no Whisper model is installed (models/whisper/)";
    expect((await tts(BODY)).verification).to.deep.include({ applied: false, reason });
  });

  it("reports the model recognition fell back to once, and that openai-whisper is not available", async () => {
    await start();
    const json = await tts({ ...BODY, whisper_model_name: "large-v3", use_faster_whisper: false });
    expect(json.verification).to.deep.include({ applied: true, model: "base" });
    expect(json.warnings).to.deep.equal([
      "openai-whisper is not installed; faster-whisper was used",
      "Whisper model 'large-v3' is not installed; 'base' was used",
    ]);
    expect(backend.transcribeCalls.map((call) => call.model)).to.deep.equal(["large-v3", "large-v3", "large-v3"]);
  });

  it("accepts faster-whisper's model names besides the original five (others are 422, see tts-validation)", async () => {
    await start();
    for (const name of ["tiny.en", "large-v2", "turbo"]) {
      expect((await post({ ...BODY, whisper_model_name: name })).status, name).to.equal(200);
    }
  });
});
