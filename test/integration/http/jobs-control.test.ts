/**
 * The jobs API through HTTP (fake engine), continued: pausing and resuming a running job, cancelling it inside
 * an engine call, the ETA from the measured rate, a re-render with new sampling parameters as its companion
 * records it, and vc and concat jobs run to the end. The fake engine takes a known time per segment, and a gate
 * can hold it before a chosen segment, so a test sees the job at a known point of its work.
 */
import { existsSync } from "node:fs";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { setTimeout as delay } from "node:timers/promises";
import { join } from "node:path";
import { expect } from "chai";
import { encodeWav } from "../../../src/audio/wav.js";
import { decodeAudio } from "../../helpers/audio-file.js";
import { FAKE_SAMPLE_RATE, FakeInferenceBackend } from "../../helpers/fake-inference-backend.js";
import { jobsClient, parseEvents } from "../../helpers/jobs-client.js";
import { startTestApp, type TestApp } from "../../helpers/test-app.js";
import { harmonicTone, mono, sine } from "../../helpers/wav-builder.js";

type Json = Record<string, any>;

/** How long the fake engine takes to speak one segment, so a job's measured rate is known. */
const SEGMENT_MS = 30;

/** Six sentences, one segment each (no batching), spoken as they are: no verification. */
const SENTENCES = [
  "The first sentence is the opening one.",
  "A second sentence follows the first.",
  "Here comes the third of them.",
  "The fourth sentence is a little longer than the others.",
  "Number five is nearly the last.",
  "And the sixth sentence ends the text.",
];
const REQUEST = {
  text: SENTENCES.join(" "),
  seed: 777,
  export_formats: ["wav"],
  enable_batching: false,
  smart_batch_short_sentences: false,
  bypass_whisper_checking: true,
};

/** Holds the fake engine before one segment (and every later one) until opened, or until its call is aborted. */
class Gate {
  private opened!: () => void;
  private readonly open = new Promise<void>((resolve) => (this.opened = resolve));
  private arrived!: () => void;
  /** Settles when the engine is first held. */
  readonly reached = new Promise<void>((resolve) => (this.arrived = resolve));

  /** @param from how many segments the engine starts before it is held */
  constructor(readonly from: number) {}

  release(): void {
    this.opened();
  }

  wait(signal?: AbortSignal): Promise<void> {
    this.arrived();
    return new Promise<void>((resolve, reject) => {
      void this.open.then(resolve);
      signal?.addEventListener("abort", () => reject(signal.reason as Error), { once: true });
    });
  }
}

describe("jobs API: control, progress, re-render parameters, vc and concat jobs (fake engine)", () => {
  let app: TestApp;
  let backend: FakeInferenceBackend;
  /** Every segment the engine started, in order: its call and its index within the call. */
  const started: Array<{ call: number; index: number }> = [];
  /** How each engine call ended: undefined for a success, else its error. */
  const callEnds = new Map<number, unknown>();
  let gate: Gate | undefined;
  const api = jobsClient(() => app);

  before(async () => {
    backend = new FakeInferenceBackend({
      beforeSegment: async (call, index, signal) => {
        const position = started.push({ call, index }) - 1;
        if (gate && position >= gate.from) await gate.wait(signal);
        await delay(SEGMENT_MS, undefined, signal ? { signal } : {});
      },
      onCallEnd: (call, error) => callEnds.set(call, error),
    });
    app = await startTestApp({ backend });
  });
  afterEach(() => {
    gate?.release();
    gate = undefined;
  });
  after(() => app.dispose());

  const outputPath = (relative: string) => join(app.config.paths.outputs, relative);
  /** Holds the engine once `segments` more segments have started. */
  const holdAfter = (segments: number) => (gate = new Gate(started.length + segments));
  const segmentsOf = async (id: string) =>
    ((await (await api.get(`/api/v1/jobs/${id}/segments`)).json()) as Json).data as Json[];
  const companionOf = async (relative: string) => JSON.parse(await readFile(`${outputPath(relative)}.json`, "utf8"));

  it("pauses a running job (paused in between, as GET shows) and resumes it to the bytes of an undisturbed run", async () => {
    const undisturbed = await api.completed({ type: "tts", request: REQUEST });
    expect(undisturbed.segments_total).to.equal(SENTENCES.length);

    const held = holdAfter(2);
    const job = await api.submitted({ type: "tts", request: REQUEST });
    await api.pollUntil(job.id, (j) => j.segments_done === 2, "2 segments done");
    const pause = await api.request("POST", `/api/v1/jobs/${job.id}/pause`);
    expect(pause.status).to.equal(200);
    expect(await pause.json()).to.include({ state: "paused", segments_done: 2, result: null });
    held.release();
    const shown = (await (await api.get(`/api/v1/jobs/${job.id}`)).json()) as Json;
    expect(shown).to.include({ state: "paused", segments_done: 2, segments_total: SENTENCES.length });
    // Pausing a paused job has nothing to do.
    expect(((await (await api.request("POST", `/api/v1/jobs/${job.id}/pause`)).json()) as Json).state).to.equal(
      "paused",
    );

    const callsBefore = backend.calls.length;
    const resume = await api.request("POST", `/api/v1/jobs/${job.id}/resume`);
    expect(resume.status).to.equal(200);
    expect(((await resume.json()) as Json).state).to.be.oneOf(["queued", "running"]);
    const done = await api.finished(job.id);
    expect(done.state, JSON.stringify(done.error)).to.equal("succeeded");

    // Only the unfinished segments went to the engine again, and no finished one was spoken twice.
    const respoken = backend.calls.slice(callsBefore).flatMap((call) => call.segments.map((s) => s.text));
    expect(respoken).to.deep.equal(SENTENCES.slice(2).map((s) => s.toLowerCase()));
    expect((await segmentsOf(job.id)).map((s) => s.renders)).to.deep.equal(Array(SENTENCES.length).fill(1));
    const [resumedWav, undisturbedWav] = await Promise.all(
      [done, undisturbed].map((j) => readFile(outputPath(j.result.files.wav as string))),
    );
    expect(resumedWav.equals(undisturbedWav!), "the same WAV bytes").to.equal(true);

    const states = parseEvents(await (await api.get(`/api/v1/jobs/${job.id}/events`)).text())
      .filter((event) => event.event === "state" || event.event === "done")
      .map((event) => event.data.state);
    expect(states).to.deep.equal(["queued", "running", "paused", "queued", "running", "succeeded"]);
  });

  it("shows an ETA from the measured rate while running (one segment's time per segment left), and 0 at the end", async () => {
    const held = holdAfter(2);
    const submittedAt = performance.now();
    const job = await api.submitted({ type: "tts", request: REQUEST });
    const running = await api.pollUntil(job.id, (j) => j.segments_done === 2, "2 segments done");
    const elapsedMs = performance.now() - submittedAt;
    const left = SENTENCES.length - 2;
    expect(running.state).to.equal("running");
    // Each finished segment took at least the engine's SEGMENT_MS (timers may fire a millisecond early), and the
    // two together no longer than the time since submission.
    expect(running.eta_seconds).to.be.a("number");
    expect(running.eta_seconds).to.be.at.least((left * (SEGMENT_MS - 1)) / 1000);
    expect(running.eta_seconds).to.be.at.most((left * elapsedMs) / 2 / 1000);
    held.release();
    const done = await api.finished(job.id);
    expect(done).to.include({ state: "succeeded", segments_done: SENTENCES.length, eta_seconds: 0 });
  });

  it("shows no ETA before the first segment is done", async () => {
    const held = holdAfter(0);
    const job = await api.submitted({ type: "tts", request: REQUEST });
    const running = await api.pollUntil(job.id, (j) => j.state === "running" && j.segments_total > 0, "planned");
    expect(running).to.include({ segments_done: 0, eta_seconds: null });
    held.release();
    await api.finished(job.id);
  });

  it("cancels a running job inside its engine call: the segment being spoken is aborted, no later one starts", async () => {
    // The first call of a job speaks its first four segments (no rate is measured yet): hold it in the third.
    const held = holdAfter(2);
    const job = await api.submitted({ type: "tts", request: REQUEST });
    await held.reached;
    await api.pollUntil(job.id, (j) => j.segments_done === 2, "2 segments done");
    const call = started.at(-1)!.call;
    expect(backend.calls[call]!.segments).to.have.length(4);
    const cancel = await api.request("POST", `/api/v1/jobs/${job.id}/cancel`);
    expect(cancel.status).to.equal(200);
    expect(await cancel.json()).to.include({ state: "cancelled", segments_done: 2, result: null });
    held.release();
    // The call was aborted in its third segment: its fourth never started, and no other call was made.
    expect(callEnds.get(call)).to.be.an("error");
    expect(started.filter((s) => s.call === call).map((s) => s.index)).to.deep.equal([0, 1, 2]);
    expect(backend.calls).to.have.length(call + 1);
  });

  it("re-renders a segment with a new seed and exaggeration: only its span changes, and the companion records it", async () => {
    const first = await api.completed({ type: "tts", request: REQUEST });
    const callsBefore = backend.calls.length;
    const render = await api.request("POST", `/api/v1/jobs/${first.id}/segments/1/render`, {
      seed: 999,
      parameters: { exaggeration: 0.9 },
    });
    expect(render.status).to.equal(202);
    const done = await api.finished(first.id);
    expect(done.state, JSON.stringify(done.error)).to.equal("succeeded");

    // One call, for that segment alone, with the new exaggeration in place of the request's.
    const calls = backend.calls.slice(callsBefore);
    expect(calls.map((call) => call.segments.map((s) => s.text))).to.deep.equal([[SENTENCES[1]!.toLowerCase()]]);
    expect(calls[0]!.params.exaggeration).to.equal(0.9);
    expect(backend.calls[callsBefore - 1]!.params.exaggeration).to.not.equal(0.9);

    const segments = await segmentsOf(first.id);
    const [v1, v2] = await Promise.all(
      (done.versions as Json[]).map((v) => decodeAudio(outputPath(v.files.wav as string))),
    );
    let at = 0;
    segments.forEach((segment, index) => {
      const end = at + Math.round((segment.duration_seconds as number) * FAKE_SAMPLE_RATE);
      const same = v1!.samples.subarray(at, end).every((sample, i) => sample === v2!.samples[at + i]);
      expect(same, `segment ${index} unchanged`).to.equal(index !== 1);
      at = end;
    });
    expect(v2!.samples.length).to.equal(at);

    const [before, after] = await Promise.all((done.versions as Json[]).map((v) => companionOf(v.files.wav as string)));
    expect(before.job).to.include({ id: first.id, version: 1 });
    expect(after.job).to.include({ id: first.id, version: 2 });
    expect(before.job.segments[1]).to.include({ seed: first.seed, renders: 1 });
    expect(before.job.segments[1].parameters).to.deep.equal({});
    expect(after.job.segments[1]).to.include({ index: 1, seed: 999, renders: 2 });
    expect(after.job.segments[1].parameters).to.deep.equal({ exaggeration: 0.9 });
    for (const segment of (after.job.segments as Json[]).filter((s) => s.index !== 1)) {
      expect(segment, `segment ${segment.index}`).to.include({ seed: first.seed, renders: 1 });
      expect(segment.parameters).to.deep.equal({});
    }
  });

  describe("vc and concat jobs", () => {
    const tone = (f0: number, seconds: number) =>
      encodeWav(mono(FAKE_SAMPLE_RATE, harmonicTone({ f0, seconds, sampleRate: FAKE_SAMPLE_RATE, harmonics: [0.4] })));
    /** The output library's files of one project and generation type. */
    const listed = async (project: string, type: string) =>
      ((await (await api.get(`/api/v1/outputs?project=${project}&generation_type=${type}`)).json()) as Json)
        .files as Json[];

    /** A one-step job ends succeeded with every result file on disk, and is listed with the succeeded jobs. */
    async function expectOneStepSuccess(done: Json, type: string): Promise<string[]> {
      expect(done).to.include({ type, state: "succeeded", segments_done: 1, segments_total: 1, eta_seconds: 0 });
      expect(done.links).to.not.have.property("segments");
      const files = Object.values(done.result.files) as string[];
      for (const relative of files) expect(existsSync(outputPath(relative)), relative).to.equal(true);
      const jobs = ((await (await api.get("/api/v1/jobs?state=succeeded&limit=1000")).json()) as Json).data as Json[];
      expect(jobs.find((j) => j.id === done.id)).to.include({ type });
      return files;
    }

    it("runs a vc job: its converted files in outputs/, in the library as vc", async () => {
      await writeFile(join(app.config.paths.vcInputs, "control-take.wav"), tone(150, 1));
      await writeFile(join(app.config.paths.referenceAudio, "control-target.wav"), tone(220, 1));
      const request = {
        input_audio_source: "control-take.wav",
        target_voice_source: "control-target",
        export_formats: ["wav", "mp3"],
        project: "dubbed",
      };
      const done = await api.completed({ type: "vc", request });
      const files = await expectOneStepSuccess(done, "vc");
      expect(Object.keys(done.result.files).sort()).to.deep.equal(["mp3", "wav"]);
      // The fake engine returns the source unchanged: a second of it.
      expect(done.result.duration_seconds).to.be.closeTo(1, 0.01);
      expect(backend.convertCalls.at(-1)!.targetVoice).to.not.equal(undefined);
      const library = (await listed("dubbed", "vc")).map((file) => file.path as string);
      expect(library.sort()).to.deep.equal([...files].sort());
    });

    it("runs a concat job: the joined clips with the silence between them, in the library as concat", async () => {
      await mkdir(outputPath("clips"), { recursive: true });
      const clip = (seconds: number, freq: number) =>
        encodeWav(mono(FAKE_SAMPLE_RATE, sine({ freq, seconds, sampleRate: FAKE_SAMPLE_RATE, amplitude: 0.3 })));
      await writeFile(outputPath("clips/a.wav"), clip(0.5, 440));
      await writeFile(outputPath("clips/b.wav"), clip(0.3, 660));
      const request = { files: ["clips/a.wav", "(200ms)", "clips/b.wav"], export_formats: ["wav"], project: "joined" };
      const done = await api.completed({ type: "concat", request });
      const files = await expectOneStepSuccess(done, "concat");
      expect(Object.keys(done.result.files)).to.deep.equal(["wav"]);
      const joined = await decodeAudio(outputPath(done.result.files.wav as string));
      expect(joined.samples.length).to.equal(Math.round(1.0 * FAKE_SAMPLE_RATE));
      const library = (await listed("joined", "concat")).map((file) => file.path as string);
      expect(library).to.deep.equal(files);
    });
  });
});
