/**
 * The jobs API through HTTP (fake engine): a TTS job submitted, followed until it succeeds and its files and
 * segments read back; submission validation; chapter books and captions; segment re-renders; API keys
 * (scopes to submit, each key seeing its own jobs, admin seeing all); the event stream; deletion. Pausing,
 * progress and the vc and concat jobs are in jobs-control.test.ts.
 */
import { createHmac } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { expect } from "chai";
import { encodeWav } from "../../../src/audio/wav.js";
import type { Scope } from "../../../src/services/auth/scopes.js";
import { decodeAudio } from "../../helpers/audio-file.js";
import { probeChapters } from "../../helpers/ffprobe-file.js";
import { expectError } from "../../helpers/error-body.js";
import { FAKE_SAMPLE_RATE, FakeInferenceBackend } from "../../helpers/fake-inference-backend.js";
import { jobsClient as client, parseEvents } from "../../helpers/jobs-client.js";
import { startLocalServer, type LocalServer } from "../../helpers/local-http-server.js";
import { makeDataDir, startTestApp, type TestApp } from "../../helpers/test-app.js";
import { harmonicTone, mono } from "../../helpers/wav-builder.js";

type Json = Record<string, any>;

/** Sentences long enough that the text is cut into several segments. */
const SENTENCE = "This sentence goes on for long enough that the engine has to speak it in a segment of its own. ";
const LONG_TEXT = SENTENCE.repeat(4).trim();

describe("jobs API (fake engine)", () => {
  describe("without API keys", () => {
    let app: TestApp;
    let backend: FakeInferenceBackend;
    /** While set, every segment waits for it (or for its call to be aborted). */
    let hold: Promise<void> | undefined;
    const api = client(() => app);

    before(async () => {
      backend = new FakeInferenceBackend({
        beforeSegment: (_call, _index, signal) => {
          const held = hold;
          if (!held) return undefined;
          return new Promise<void>((resolve, reject) => {
            void held.then(resolve);
            signal?.addEventListener("abort", () => reject(signal.reason as Error), { once: true });
          });
        },
      });
      app = await startTestApp({ backend, yaml: "jobs:\n  call_seconds: 0.001\n" });
    });
    after(() => app.dispose());

    const outputPath = (relative: string) => join(app.config.paths.outputs, relative);

    it("runs a TTS job: 202 with Location and links, then succeeded with files and segments", async () => {
      const response = await api.submit({ type: "tts", request: { text: LONG_TEXT, export_formats: ["wav"] } });
      expect(response.status).to.equal(202);
      const job = (await response.json()) as Json;
      expect(job.id).to.match(/^job_[0-9a-f]{32}$/);
      expect(response.headers.get("location")).to.equal(`/api/v1/jobs/${job.id}`);
      expect(job).to.include({ object: "job", type: "tts", key_id: null, chapters: null });
      expect(job.state).to.be.oneOf(["queued", "running"]);
      expect(job.seed).to.be.a("number");
      expect(job.links).to.deep.equal({
        self: `/api/v1/jobs/${job.id}`,
        events: `/api/v1/jobs/${job.id}/events`,
        segments: `/api/v1/jobs/${job.id}/segments`,
        cancel: `/api/v1/jobs/${job.id}/cancel`,
        pause: `/api/v1/jobs/${job.id}/pause`,
        resume: `/api/v1/jobs/${job.id}/resume`,
      });

      const done = await api.finished(job.id);
      expect(done.state, JSON.stringify(done.error)).to.equal("succeeded");
      expect(done.error).to.equal(null);
      expect(done.finished_at).to.be.a("string");
      expect(done.segments_total).to.be.at.least(2);
      expect(done.segments_done).to.equal(done.segments_total);
      expect(done.result.version).to.equal(1);
      expect(Object.keys(done.result.files)).to.include("wav");
      for (const relative of Object.values(done.result.files) as string[]) {
        expect(existsSync(outputPath(relative)), relative).to.equal(true);
      }
      expect(done.versions).to.have.length(1);

      const segments = (await (await api.get(`/api/v1/jobs/${job.id}/segments`)).json()) as Json;
      expect(segments.total).to.equal(done.segments_total);
      expect(segments.data.map((s: Json) => s.index)).to.deep.equal([...Array(segments.total).keys()]);
      for (const segment of segments.data as Json[]) {
        expect(segment.state).to.equal("done");
        expect(segment.duration_seconds).to.be.a("number").and.greaterThan(0);
        expect(segment.renders).to.equal(1);
        expect(segment.seed_base).to.equal(done.seed);
      }
      const total = (segments.data as Json[]).reduce((sum, s) => sum + (s.duration_seconds as number), 0);
      expect(done.audio_seconds_done).to.be.closeTo(total, 0.01);
      // Every segment's text is spoken, in order: the job's text (lowercased by the default text preparation).
      expect((segments.data as Json[]).map((s) => s.text.toLowerCase()).join(" ")).to.equal(LONG_TEXT.toLowerCase());

      const listed = (await (await api.get("/api/v1/jobs?state=succeeded")).json()) as Json;
      expect(listed.data.map((j: Json) => j.id)).to.include(job.id);
    });

    describe("submission validation", () => {
      it("refuses an unknown type (422 naming body.type)", async () => {
        const body = await expectError(
          await api.submit({ type: "video", request: { text: "Hi." } }),
          422,
          "VALIDATION_ERROR",
        );
        expect((body.detail as Json[]).map((issue) => issue.loc.join("."))).to.include("body.type");
      });

      it("refuses an invalid TTS request with the issue inside body.request", async () => {
        const body = await expectError(
          await api.submit({ type: "tts", request: { text: "Hi.", temperature: 9 } }),
          422,
          "VALIDATION_ERROR",
        );
        expect((body.detail as Json[]).map((issue) => issue.loc)).to.deep.include(["body", "request", "temperature"]);
      });

      it("refuses chapters for a text without chapter markers (422 naming body.chapters)", async () => {
        const plain = await expectError(
          await api.submit({ type: "tts", request: { text: "No markers here." }, chapters: "m4b" }),
          422,
          "VALIDATION_ERROR",
        );
        expect((plain.detail as Json[]).map((issue) => issue.loc.join("."))).to.deep.equal(["body.chapters"]);
      });

      it("refuses chapters for a vc job whose request is valid (422 naming body.chapters)", async () => {
        const { vcInputs, referenceAudio } = app.config.paths;
        const tone = mono(
          FAKE_SAMPLE_RATE,
          harmonicTone({ f0: 150, seconds: 1, sampleRate: FAKE_SAMPLE_RATE, harmonics: [0.4, 0.2] }),
        );
        await writeFile(join(vcInputs, "chapters-source.wav"), encodeWav(tone));
        await writeFile(join(referenceAudio, "chapters-target.wav"), encodeWav(tone));
        const body = await expectError(
          await api.submit({
            type: "vc",
            request: { input_audio_source: "chapters-source.wav", target_voice_source: "chapters-target" },
            chapters: "m4b",
          }),
          422,
          "VALIDATION_ERROR",
        );
        expect((body.detail as Json[]).map((issue) => issue.loc.join("."))).to.deep.equal(["body.chapters"]);
      });

      it("refuses a webhook_url to a private address (422 naming webhook_url)", async () => {
        const body = await expectError(
          await api.submit({
            type: "tts",
            request: { text: "Hi." },
            webhook_url: "http://127.0.0.1:9/hook",
          }),
          422,
          "VALIDATION_ERROR",
        );
        expect(JSON.stringify(body.detail)).to.include("webhook_url");
        const listed = (await (await api.get("/api/v1/jobs?limit=1000")).json()) as Json;
        expect(listed.data.map((j: Json) => j.webhook_url)).to.not.include("http://127.0.0.1:9/hook");
      });

      it("accepts response_mode in the request with a warning that it does not apply", async () => {
        const job = await api.submitted({ type: "tts", request: { text: "Warned.", response_mode: "json" } });
        expect(job.warnings.join(" ")).to.include("response_mode");
        const done = await api.finished(job.id);
        expect(done.warnings.join(" ")).to.include("response_mode");
      });
    });

    it("writes an M4B chapter book whose chapters are the text's markers", async () => {
      const text = "# One\nThe first chapter is spoken here.\n# Two\nThe second chapter follows it.";
      const done = await api.completed({ type: "tts", request: { text, export_formats: ["wav"] }, chapters: "m4b" });
      expect(done.chapters).to.equal("m4b");
      const m4b = (Object.values(done.result.files) as string[]).find((path) => path.endsWith(".m4b"));
      expect(m4b, JSON.stringify(done.result.files)).to.be.a("string");
      const chapters = await probeChapters(outputPath(m4b!));
      expect(chapters.map((chapter) => chapter.title)).to.deep.equal(["One", "Two"]);
      const segments = (await (await api.get(`/api/v1/jobs/${done.id}/segments`)).json()) as Json;
      expect(segments.data.map((s: Json) => s.chapter)).to.deep.equal([0, 1]);
      // The marker lines are titles, never speech.
      expect(segments.data.map((s: Json) => s.text).join(" ")).to.not.include("#");
    });

    it("writes an MP3 chapter book beside an mp3 export of the same job, under its own name", async () => {
      const text = "# One\nThe first chapter is spoken here.\n# Two\nThe second chapter follows it.";
      const done = await api.completed({ type: "tts", request: { text }, chapters: "mp3" });
      expect(done.state, JSON.stringify(done.error)).to.equal("succeeded");
      const { mp3, book_mp3: book } = done.result.files as Record<string, string>;
      expect(book).to.match(/_book\.mp3$/);
      expect(mp3).to.equal(book!.replace("_book.mp3", ".mp3"));
      for (const path of [mp3!, book!]) expect(existsSync(outputPath(path)), path).to.equal(true);
      expect(await probeChapters(outputPath(book!))).to.have.length(2);
    });

    it("publishes each chapter on its own with split_chapters: the master's samples, cut at the chapter starts", async () => {
      const text = "# One\nThe first chapter is spoken here.\n# Two\nThe second chapter follows it, a little longer.";
      const request = { text, export_formats: ["wav", "mp3"] };
      const done = await api.completed({ type: "tts", request, split_chapters: true });
      expect(done).to.include({ state: "succeeded", split_chapters: true, chapters: null });
      const files = done.result.files as Record<string, string>;
      expect(Object.keys(files).sort()).to.deep.equal([
        "chapter01_mp3",
        "chapter01_wav",
        "chapter02_mp3",
        "chapter02_wav",
        "mp3",
        "wav",
      ]);
      const [whole, one, two] = await Promise.all(
        [files.wav!, files.chapter01_wav!, files.chapter02_wav!].map((path) => decodeAudio(outputPath(path))),
      );
      const segments = ((await (await api.get(`/api/v1/jobs/${done.id}/segments`)).json()) as Json).data as Json[];
      const firstLength = Math.round(segments[0]!.duration_seconds * whole!.sampleRate);
      expect(one!.samples).to.deep.equal(whole!.samples.subarray(0, firstLength));
      expect(two!.samples).to.deep.equal(whole!.samples.subarray(firstLength));
    });

    it("accounts a job in two usage rows: its submission's characters, and the audio of its end", async () => {
      const done = await api.completed({ type: "tts", request: { text: LONG_TEXT, export_formats: ["wav"] } });
      const rows = async (endpoint: string) =>
        ((await (await api.get(`/api/v1/usage?endpoint=${encodeURIComponent(endpoint)}`)).json()) as Json)
          .rows as Json[];
      const ended = (await rows("JOB tts")).filter((row) => row.request_id === done.id);
      expect(ended).to.have.length(1);
      expect(ended[0]).to.include({ status: 200, stream_mode: "job", engine: "espeak", input_chars: 0 });
      expect(ended[0]!.output_audio_ms).to.equal(Math.round(done.result.duration_seconds * 1000));
      const submitted = (await rows("POST /api/v1/jobs")).filter((row) => row.input_chars === LONG_TEXT.length);
      expect(submitted.length).to.be.at.least(1);
    });

    it("writes SRT captions with at least one cue per segment when export_formats names srt", async () => {
      const done = await api.completed({ type: "tts", request: { text: LONG_TEXT, export_formats: ["wav", "srt"] } });
      const files = Object.values(done.result.files) as string[];
      const srt = files.find((path) => path.endsWith(".srt"));
      expect(srt, JSON.stringify(done.result.files)).to.be.a("string");
      expect(files.some((path) => path.endsWith(".wav"))).to.equal(true);
      const cues = (await readFile(outputPath(srt!), "utf8")).split("\n").filter((line) => line.includes("-->"));
      expect(cues.length).to.be.at.least(done.segments_total as number);
    });

    describe("segment re-render", () => {
      let finishedJob: Json;
      before(async () => {
        finishedJob = await api.completed({ type: "tts", request: { text: LONG_TEXT, export_formats: ["wav"] } });
      });
      const render = (id: string, index: number | string, body: object = {}) =>
        api.request("POST", `/api/v1/jobs/${id}/segments/${index}/render`, body);

      it("is a 409 for a running job and for a queued one", async () => {
        let release!: () => void;
        hold = new Promise<void>((resolve) => (release = resolve));
        try {
          const running = await api.submitted({ type: "tts", request: { text: "Held back." } });
          const queued = await api.submitted({ type: "tts", request: { text: "Waiting behind." } });
          await api.inState(running.id, "running");
          expect(((await api.get(`/api/v1/jobs/${queued.id}`).then((r) => r.json())) as Json).state).to.equal("queued");
          await expectError(await render(running.id, 0, { text: "New." }), 409, "CONFLICT");
          await expectError(await render(queued.id, 0, { text: "New." }), 409, "CONFLICT");
          for (const id of [running.id, queued.id]) {
            const cancelled = await api.request("POST", `/api/v1/jobs/${id}/cancel`);
            expect(cancelled.status).to.equal(200);
            expect(((await cancelled.json()) as Json).state).to.equal("cancelled");
          }
        } finally {
          hold = undefined;
          release();
        }
      });

      it("is a 404 for a segment index the job does not have", async () => {
        await expectError(await render(finishedJob.id, finishedJob.segments_total, {}), 404, "RESOURCE_NOT_FOUND");
        await expectError(await render(finishedJob.id, "x", {}), 404, "RESOURCE_NOT_FOUND");
        await expectError(await render("job_nope", 0, {}), 404, "RESOURCE_NOT_FOUND");
      });

      it("is a 422 for text longer than a segment may be, and for a parameter that cannot change", async () => {
        const long = await expectError(
          await render(finishedJob.id, 0, { text: "a".repeat(301) }),
          422,
          "VALIDATION_ERROR",
        );
        expect((long.detail as Json[]).map((issue) => issue.loc.join("."))).to.deep.equal(["body.text"]);
        const topK = await expectError(
          await render(finishedJob.id, 0, { parameters: { top_k: 3 } }),
          422,
          "VALIDATION_ERROR",
        );
        expect((topK.detail as Json[]).map((issue) => issue.loc.join("."))).to.deep.equal(["body.parameters.top_k"]);
        // Nothing was reopened by a refused render.
        const job = (await (await api.get(`/api/v1/jobs/${finishedJob.id}`)).json()) as Json;
        expect(job).to.include({ state: "succeeded", segments_done: finishedJob.segments_total });
      });

      it("speaks one segment again and publishes a second version", async () => {
        const response = await render(finishedJob.id, 1, { text: "A replacement sentence.", seed: 1234 });
        expect(response.status).to.equal(202);
        const done = await api.finished(finishedJob.id);
        expect(done.state, JSON.stringify(done.error)).to.equal("succeeded");
        expect(done.versions.map((v: Json) => v.version)).to.deep.equal([1, 2]);
        expect(done.result.version).to.equal(2);
        for (const version of done.versions as Json[]) {
          for (const relative of Object.values(version.files) as string[]) {
            expect(existsSync(outputPath(relative)), relative).to.equal(true);
          }
        }
        const segments = (await (await api.get(`/api/v1/jobs/${finishedJob.id}/segments`)).json()) as Json;
        const second = (segments.data as Json[])[1]!;
        // Prepared as the job's own text was: to_lowercase is on by default.
        expect(second).to.include({ text: "a replacement sentence.", seed_base: 1234, renders: 2, state: "done" });
        expect((segments.data as Json[])[0]!.renders).to.equal(1);
      });
    });

    describe("events (Server-Sent Events)", () => {
      it("replays the stored events of a finished job and ends; Last-Event-ID gives only later ones", async () => {
        const done = await api.completed({ type: "tts", request: { text: LONG_TEXT, export_formats: ["wav"] } });
        const response = await api.get(`/api/v1/jobs/${done.id}/events`);
        expect(response.status).to.equal(200);
        expect(response.headers.get("content-type")).to.include("text/event-stream");
        const events = parseEvents(await response.text());
        expect(events.map((event) => event.event)).to.include.members(["state", "segment", "progress", "done"]);
        expect(events[0]).to.deep.include({ event: "state", data: { state: "queued" } });
        expect(events.at(-1)).to.deep.include({ event: "done" });
        expect(events.at(-1)!.data.state).to.equal("succeeded");
        const ids = events.map((event) => event.id);
        expect(ids).to.deep.equal([...ids].sort((a, b) => a - b));
        expect(new Set(ids).size).to.equal(ids.length);
        const segmentEvents = events.filter((event) => event.event === "segment");
        expect(segmentEvents.map((event) => event.data.index)).to.deep.equal([...Array(done.segments_total).keys()]);

        const after = ids[2]!;
        const resumed = parseEvents(
          await (await api.get(`/api/v1/jobs/${done.id}/events`, { "Last-Event-ID": String(after) })).text(),
        );
        expect(resumed).to.deep.equal(events.filter((event) => event.id > after));
        const byQuery = parseEvents(
          await (await api.get(`/api/v1/jobs/${done.id}/events?last_event_id=${after}`)).text(),
        );
        expect(byQuery).to.deep.equal(resumed);
      });

      it("streams live events of a running job until it ends", async () => {
        let release!: () => void;
        hold = new Promise<void>((resolve) => (release = resolve));
        try {
          const job = await api.submitted({ type: "tts", request: { text: "Followed live." } });
          await api.inState(job.id, "running");
          const response = await api.get(`/api/v1/jobs/${job.id}/events`);
          expect(response.status).to.equal(200);
          hold = undefined;
          release();
          const events = parseEvents(await response.text());
          expect(events.at(-1)).to.deep.include({ event: "done" });
          expect(events.map((event) => event.event)).to.include("segment");
        } finally {
          hold = undefined;
          release();
        }
      });
    });

    it("DELETE removes the job (then 404) and its work folder", async () => {
      const done = await api.completed({ type: "tts", request: { text: LONG_TEXT, export_formats: ["wav"] } });
      const folder = join(app.config.paths.data, "jobs", done.id);
      expect(existsSync(folder), folder).to.equal(true);
      const published = Object.values(done.result.files) as string[];
      const response = await api.request("DELETE", `/api/v1/jobs/${done.id}`);
      expect(response.status).to.equal(204);
      await expectError(await api.get(`/api/v1/jobs/${done.id}`), 404, "RESOURCE_NOT_FOUND");
      await expectError(await api.get(`/api/v1/jobs/${done.id}/events`), 404, "RESOURCE_NOT_FOUND");
      expect(existsSync(folder)).to.equal(false);
      // Its published files stay.
      for (const relative of published) expect(existsSync(outputPath(relative)), relative).to.equal(true);
      await expectError(await api.request("DELETE", `/api/v1/jobs/${done.id}`), 404, "RESOURCE_NOT_FOUND");
    });
  });

  describe("limits: segment audio retention and unfinished jobs per key", () => {
    let app: TestApp;
    let backend: FakeInferenceBackend;
    let hold: Promise<void> | undefined;
    const api = client(() => app);

    before(async () => {
      backend = new FakeInferenceBackend({ beforeSegment: () => hold });
      app = await startTestApp({ backend, yaml: "jobs:\n  keep_segments_hours: 0\n  max_unfinished_per_key: 1\n" });
    });
    after(() => app.dispose());

    it("removes a finished job's segment audio at once with keep 0; a re-render speaks every segment again, alike", async () => {
      const done = await api.completed({ type: "tts", request: { text: LONG_TEXT, export_formats: ["wav"] } });
      const workFolder = join(app.config.paths.data, "jobs", done.id);
      expect(existsSync(workFolder), workFolder).to.equal(false);
      const spokenBefore = backend.calls.flatMap((call) => call.segments).length;
      const response = await api.request("POST", `/api/v1/jobs/${done.id}/segments/0/render`, { text: "Fresh words." });
      expect(response.status).to.equal(202);
      const again = await api.finished(done.id);
      expect(again.state, JSON.stringify(again.error)).to.equal("succeeded");
      const spokenAgain = backend.calls.flatMap((call) => call.segments).slice(spokenBefore);
      expect(spokenAgain).to.have.length(done.segments_total as number);
      const [v1, v2] = await Promise.all(
        (again.versions as Json[]).map((v) => decodeAudio(join(app.config.paths.outputs, v.files.wav))),
      );
      // Segment 0 changed; every other segment was spoken again with its own seeds, to the same samples.
      const segments = ((await (await api.get(`/api/v1/jobs/${done.id}/segments`)).json()) as Json).data as Json[];
      const firstOld =
        v1!.samples.length - segments.slice(1).reduce((n, s) => n + Math.round(s.duration_seconds * v1!.sampleRate), 0);
      const firstNew = Math.round(segments[0]!.duration_seconds * v2!.sampleRate);
      expect(v2!.samples.subarray(firstNew)).to.deep.equal(v1!.samples.subarray(firstOld));
    });

    it("refuses a job past jobs.max_unfinished_per_key with 429 and Retry-After, and takes it once one ended", async () => {
      let release!: () => void;
      hold = new Promise<void>((resolve) => (release = resolve));
      try {
        const first = await api.submitted({ type: "tts", request: { text: "Held back." } });
        const refused = await api.submit({ type: "tts", request: { text: "One too many." } });
        expect(refused.headers.get("retry-after")).to.equal("60");
        const body = await expectError(refused, 429, "RATE_LIMITED");
        expect(body.error).to.include("max_unfinished_per_key");
        release();
        hold = undefined;
        await api.finished(first.id);
        await api.completed({ type: "tts", request: { text: "Now there is room." } });
      } finally {
        hold = undefined;
        release();
      }
    });
  });

  describe("webhooks", () => {
    let app: TestApp;
    let receiver: LocalServer;
    const calls: Array<{ headers: Record<string, string | string[] | undefined>; body: string }> = [];
    let called: () => void = () => undefined;
    const api = client(() => app);

    before(async () => {
      receiver = await startLocalServer((request, response) => {
        const chunks: Buffer[] = [];
        request.on("data", (chunk: Buffer) => chunks.push(chunk));
        request.on("end", () => {
          calls.push({ headers: request.headers, body: Buffer.concat(chunks).toString("utf8") });
          response.end();
          called();
        });
      });
      // Loopback is refused to URL sources and webhooks alike unless allowed.
      app = await startTestApp({
        backend: new FakeInferenceBackend(),
        yaml: 'url_sources:\n  allow_hosts: ["127.0.0.1"]\n',
      });
    });
    after(async () => {
      await app.dispose();
      await receiver.close();
    });

    it("calls webhook_url when the job ends, with the job and a signature made with the secret shown once", async () => {
      const webhook = new Promise<void>((resolve) => (called = resolve));
      const submitted = await api.submitted({
        type: "tts",
        request: { text: "Call me when it is done." },
        webhook_url: `${receiver.origin}/hooks/job`,
      });
      expect(submitted.webhook_secret).to.match(/^[0-9a-f]{48}$/);
      expect((await (await api.get(`/api/v1/jobs/${submitted.id}`)).json()) as Json).to.not.have.property(
        "webhook_secret",
      );
      await webhook;
      const [call] = calls;
      const body = JSON.parse(call!.body) as Json;
      expect(body).to.include({ id: submitted.id, state: "succeeded" });
      expect(body.result.files).to.have.property("wav");
      const [, t, v1] = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(String(call!.headers["x-chatterbox-signature"]))!;
      const expected = createHmac("sha256", submitted.webhook_secret).update(`${t}.${call!.body}`).digest("hex");
      expect(v1).to.equal(expected);
      expect(call!.headers["x-chatterbox-delivery"]).to.match(new RegExp(`^${submitted.id}\\.\\d+$`));
      expect(receiver.requests.map((r) => `${r.method} ${r.url}`)).to.deep.equal(["POST /hooks/job"]);
    });
  });

  describe("with API keys", () => {
    let app: TestApp;
    let admin: string;
    let narrator: { id: string; secret: string };
    let other: { id: string; secret: string };
    let dubber: { id: string; secret: string };

    before(async () => {
      const data = await makeDataDir("auth:\n  enabled: true\n");
      const { vcInputs, referenceAudio } = data.config.paths;
      await mkdir(vcInputs, { recursive: true });
      const tone = mono(
        FAKE_SAMPLE_RATE,
        harmonicTone({ f0: 150, seconds: 1, sampleRate: FAKE_SAMPLE_RATE, harmonics: [0.4, 0.2] }),
      );
      await writeFile(join(vcInputs, "take1.wav"), encodeWav(tone));
      await writeFile(join(referenceAudio, "target.wav"), encodeWav(tone));
      app = await startTestApp({ backend: new FakeInferenceBackend(), data });
      const create = (name: string, scopes: Scope[]) => {
        const created = app.services.keys.create({ name, scopes }, "test");
        return { id: created.key.id, secret: created.secret };
      };
      admin = create("admin", ["admin"]).secret;
      narrator = create("narrator", ["tts"]);
      other = create("other", ["tts"]);
      dubber = create("dubber", ["vc"]);
    });
    after(() => app.dispose());

    it("needs a key at all (401)", async () => {
      await expectError(
        await client(() => app).submit({ type: "tts", request: { text: "Hi." } }),
        401,
        "INVALID_API_KEY",
      );
    });

    it("refuses a tts job to a key with only the vc scope (403), which may submit a vc job", async () => {
      const vcOnly = client(() => app, dubber.secret);
      await expectError(await vcOnly.submit({ type: "tts", request: { text: "Hi." } }), 403, "PERMISSION_DENIED");
      await expectError(
        await vcOnly.submit({ type: "concat", request: { files: ["a.wav", "b.wav"] } }),
        403,
        "PERMISSION_DENIED",
      );
      const done = await vcOnly.completed({
        type: "vc",
        request: { input_audio_source: "take1.wav", target_voice_source: "target", export_formats: ["wav"] },
      });
      expect(done.key_id).to.equal(dubber.id);
      expect(done.links).to.not.have.property("segments");
      expect(Object.keys(done.result.files)).to.include("wav");
      // A conversion has no text segments to speak again.
      const rerender = await vcOnly.request("POST", `/api/v1/jobs/${done.id}/segments/0/render`, { text: "hello" });
      await expectError(rerender, 409, "CONFLICT");
      // The tts-only key cannot submit a vc job either.
      await expectError(
        await client(() => app, narrator.secret).submit({
          type: "vc",
          request: { input_audio_source: "take1.wav", target_voice_source: "target" },
        }),
        403,
        "PERMISSION_DENIED",
      );
    });

    it("shows a key only its own jobs (another's is 404 and absent from the list); admin sees all", async () => {
      const mine = client(() => app, narrator.secret);
      const theirs = client(() => app, other.secret);
      const adminApi = client(() => app, admin);
      const job = await mine.completed({ type: "tts", request: { text: "Mine alone." } });
      expect(job.key_id).to.equal(narrator.id);

      for (const path of [
        `/api/v1/jobs/${job.id}`,
        `/api/v1/jobs/${job.id}/segments`,
        `/api/v1/jobs/${job.id}/events`,
      ]) {
        await expectError(await theirs.get(path), 404, "RESOURCE_NOT_FOUND");
      }
      await expectError(await theirs.request("POST", `/api/v1/jobs/${job.id}/cancel`), 404, "RESOURCE_NOT_FOUND");
      await expectError(await theirs.request("DELETE", `/api/v1/jobs/${job.id}`), 404, "RESOURCE_NOT_FOUND");
      const theirList = (await (await theirs.get("/api/v1/jobs")).json()) as Json;
      expect(theirList.data.map((j: Json) => j.id)).to.not.include(job.id);
      expect(theirList.total).to.equal(theirList.data.length);
      await expectError(await theirs.get(`/api/v1/jobs?key_id=${narrator.id}`), 403, "PERMISSION_DENIED");

      const myList = (await (await mine.get("/api/v1/jobs")).json()) as Json;
      expect(myList.data.map((j: Json) => j.id)).to.include(job.id);
      expect(myList.data.every((j: Json) => j.key_id === narrator.id)).to.equal(true);

      expect((await adminApi.get(`/api/v1/jobs/${job.id}`)).status).to.equal(200);
      const all = (await (await adminApi.get("/api/v1/jobs?limit=1000")).json()) as Json;
      const keys = new Set(all.data.map((j: Json) => j.key_id));
      expect(all.data.map((j: Json) => j.id)).to.include(job.id);
      expect(keys.has(dubber.id) && keys.has(narrator.id)).to.equal(true);
      const filtered = (await (await adminApi.get(`/api/v1/jobs?key_id=${narrator.id}`)).json()) as Json;
      expect(filtered.data.every((j: Json) => j.key_id === narrator.id)).to.equal(true);
      expect(filtered.data.map((j: Json) => j.id)).to.include(job.id);
    });
  });
});
