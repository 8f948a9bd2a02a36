/**
 * The segment synthesizer's per-segment hook (each segment is reported once, as soon as its audio is final), and
 * its retries with an engine that gives the same audio for every seed.
 */
import { expect } from "chai";
import type { MonoPcm } from "../../../../src/domain/audio.js";
import {
  synthesizeSegments,
  type ChunkOutcome,
  type SegmentVerifier,
  type TryCheck,
} from "../../../../src/services/tts/segment-synthesizer.js";
import { FakeInferenceBackend } from "../../../helpers/fake-inference-backend.js";

const TEXTS = ["first part.", "second part.", "third part."];
const seedFor = (chunk: number, position: { candidate: number; attempt: number }) =>
  100 * chunk + 10 * position.candidate + position.attempt + 1;
/** A call with a minute to go from when the test runs (mocha loads every file long before it runs them). */
const call = () => ({ deadline: Date.now() + 60_000 });

function withTimeout(promise: Promise<void>, message: string): Promise<void> {
  return Promise.race([
    promise,
    new Promise<void>((_, reject) => setTimeout(() => reject(new Error(message)), 2000).unref()),
  ]);
}

/** Hears every try right except the first try of segment 1 (seed 101), whose audio is rejected. */
class RejectsFirstTryOfSegment1 implements SegmentVerifier {
  readonly maxWer = 0.15;
  readonly preferLongestTranscript = false;
  checked: number[] = [];

  constructor(private readonly backend: FakeInferenceBackend) {}

  async check(text: string, audio: MonoPcm): Promise<TryCheck> {
    const seed = this.backend.heard(audio).seed;
    this.checked.push(seed);
    return seed === 101 ? { transcript: "nothing", wer: 1 } : { transcript: text, wer: 0 };
  }
}

describe("services/tts/segment-synthesizer onSegmentDone", () => {
  it("reports each segment once, unverified, while the call is still speaking the next ones", async () => {
    let firstReported!: () => void;
    const first = new Promise<void>((resolve) => (firstReported = resolve));
    // The engine speaks segment 2 only once segment 0 was reported: a report at the end of the call never comes.
    const backend = new FakeInferenceBackend({
      beforeSegment: (_call, index) =>
        index === 2 ? withTimeout(first, "segment 0 was not reported in time") : undefined,
    });
    const reported: Array<[number, number]> = [];
    const result = await synthesizeSegments(
      backend,
      {
        texts: TEXTS,
        seedFor,
        candidates: 1,
        maxAttempts: 1,
        input: { params: {} },
        onSegmentDone: (chunk, audio) => {
          reported.push([chunk, backend.heard(audio).seed]);
          if (chunk === 0) firstReported();
        },
      },
      call(),
    );
    expect(reported).to.deep.equal([
      [0, 1],
      [1, 101],
      [2, 201],
    ]);
    expect(result.segments.map((audio) => backend.heard(audio).seed)).to.deep.equal([1, 101, 201]);
  });

  it("reports passing segments in the first round and a retried one with its kept try after the retry", async () => {
    const backend = new FakeInferenceBackend();
    const verifier = new RejectsFirstTryOfSegment1(backend);
    const reported: Array<{ chunk: number; seed: number; outcome: ChunkOutcome; calls: number }> = [];
    await synthesizeSegments(
      backend,
      {
        texts: TEXTS,
        seedFor,
        candidates: 1,
        maxAttempts: 2,
        input: { params: {} },
        verifier,
        onSegmentDone: (chunk, audio, outcome) =>
          reported.push({ chunk, seed: backend.heard(audio).seed, outcome, calls: backend.calls.length }),
      },
      call(),
    );
    // Segments 0 and 2 are final during the first call; segment 1 only once its second try passed.
    expect(reported.map(({ chunk, seed, calls }) => [chunk, seed, calls])).to.deep.equal([
      [0, 1, 1],
      [2, 201, 1],
      [1, 102, 2],
    ]);
    const retried = reported.find((r) => r.chunk === 1)!.outcome;
    expect(retried.chosen).to.equal(1);
    expect(retried.tries.map((t) => t.seed)).to.deep.equal([101, 102]);
    expect(verifier.checked).to.deep.equal([1, 101, 201, 102]);
  });
});

/** Hears nothing right: every try fails its check. */
class RejectsEverything implements SegmentVerifier {
  readonly maxWer = 0.15;
  readonly preferLongestTranscript = true;
  checks = 0;

  async check(): Promise<TryCheck> {
    this.checks += 1;
    return { transcript: "something else", wer: 1 };
  }
}

describe("services/tts/segment-synthesizer with an engine that ignores the seed", () => {
  const synthesize = (backend: FakeInferenceBackend, verifier: SegmentVerifier) =>
    synthesizeSegments(
      backend,
      { texts: TEXTS, seedFor, candidates: 3, maxAttempts: 3, input: { params: {} }, verifier },
      call(),
    );

  it("speaks and checks each failing chunk once, keeps that try, and says why it was not retried", async () => {
    // As the real sidecar reports for Piper, whose audio is the same for every seed.
    const backend = new FakeInferenceBackend({ engines: ["piper"], ignoredParameters: ["seed"] });
    const verifier = new RejectsEverything();
    const result = await synthesize(backend, verifier);
    expect(backend.calls.map((c) => c.segments.map((s) => s.seed))).to.deep.equal([[1, 101, 201]]);
    expect(verifier.checks).to.equal(3);
    expect(result.outcomes.map((o) => [o.tries.length, o.chosen, o.passed])).to.deep.equal(
      Array(3).fill([1, 0, false]),
    );
    expect(result.outcomes[1]!.tries[0]).to.include({ seed: 101, transcript: "something else", wer: 1 });
    expect(result.warnings).to.deep.equal([
      "the piper engine gives the same audio for every seed, so chunks that failed Whisper validation were not " +
        "tried again (num_candidates_per_chunk and max_attempts_per_candidate had no effect on them)",
    ]);
  });

  it("still makes every try with an engine whose audio changes with the seed", async () => {
    const backend = new FakeInferenceBackend();
    const verifier = new RejectsEverything();
    const result = await synthesize(backend, verifier);
    expect(backend.calls).to.have.length(9);
    expect(verifier.checks).to.equal(27);
    expect(result.warnings).to.deep.equal([]);
  });
});
