import { readdir } from "node:fs/promises";
import { expect } from "chai";
import { durationSeconds } from "../../../src/audio/pcm.js";
import {
  ClientGoneError,
  InferenceFailedError,
  ModelNotReadyError,
  OverloadedError,
} from "../../../src/domain/errors.js";
import { decodeAudio } from "../../helpers/audio-file.js";
import {
  FAKE_SAMPLE_RATE,
  FakeInferenceBackend,
  SECONDS_PER_CHAR,
  type FakeBackendOptions,
} from "../../helpers/fake-inference-backend.js";
import { startLocalServer } from "../../helpers/local-http-server.js";
import { startTestApp, type TestApp } from "../../helpers/test-app.js";
import { buildS16Wav, mono, sine } from "../../helpers/wav-builder.js";

describe("POST /api/v1/tts behaviour (fake engine)", () => {
  let app: TestApp | undefined;
  afterEach(async () => {
    await app?.dispose();
    app = undefined;
  });

  async function start(options: FakeBackendOptions = {}, yaml = "") {
    const backend = new FakeInferenceBackend(options);
    app = await startTestApp({ backend, yaml });
    return backend;
  }

  const tts = (body: object, query = "?response_mode=json", signal?: AbortSignal) =>
    fetch(`${app!.baseUrl}/api/v1/tts${query}`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(body),
      ...(signal ? { signal } : {}),
    });

  async function wavOf(response: Response) {
    expect(response.status).to.equal(200);
    return decodeAudio(Buffer.from(await response.arrayBuffer()));
  }

  it("speaks every character of a long text: the audio length follows the text", async () => {
    const backend = await start();
    const sentence = "This sentence is here to make the text long enough for several segments. ";
    const text = sentence.repeat(20).trim() + " Ok.";
    const audio = await wavOf(await tts({ text, export_formats: ["wav"] }, ""));
    const segments = backend.calls[0]!.segments;
    expect(segments.length).to.be.greaterThan(3);
    expect(segments.every((s) => s.text.length <= 300)).to.equal(true);
    expect(
      segments
        .map((s) => s.text)
        .join(" ")
        .replace(/\s+/g, ""),
    ).to.equal(text.toLowerCase().replace(/\s+/g, ""));
    const spoken = segments.reduce((sum, s) => sum + s.text.length * SECONDS_PER_CHAR + 0.4, 0);
    expect(durationSeconds(audio)).to.be.closeTo(spoken, 0.01);
  });

  it("gives identical audio for the same seed, reports a random seed for 0, and seeds each chunk differently", async () => {
    const backend = await start();
    const body = {
      text: "First sentence here. Second one follows.",
      seed: 42,
      smart_batch_short_sentences: false,
      export_formats: ["wav"],
    };
    const a = await wavOf(await tts(body, ""));
    const b = await wavOf(await tts(body, ""));
    expect(Buffer.from(a.samples.buffer).equals(Buffer.from(b.samples.buffer))).to.equal(true);
    const seeds = backend.calls[0]!.segments.map((s) => s.seed);
    expect(seeds).to.have.length(2);
    expect(new Set(seeds).size).to.equal(2);
    const random = (await (await tts({ text: "Random seed.", seed: 0 })).json()) as { generation_seed_used: number };
    expect(random.generation_seed_used).to.be.within(1, 4294967295);
  });

  it("reports what it cannot honour, unknown fields and engine warnings, in the body and in X-Warnings", async () => {
    // No speech recognition: asking for Whisper validation and extra candidates cannot be honoured.
    await start({
      warnings: ["fake: stretched with sox"],
      ignoredParameters: ["cfg_weight"],
      stt: { available: false },
    });
    const body = {
      text: "Warn me.",
      cfg_weight: 0.3,
      num_candidates_per_chunk: 3,
      use_auto_editor: true,
      bypass_whisper_checking: false,
      normalize_audio: true,
      sound_words_field: "uh=>",
      colour: "blue",
    };
    const json = (await (await tts(body)).json()) as { warnings: string[]; output_files: Array<{ url: string }> };
    const joined = json.warnings.join("\n");
    const companion = await fetch(`${app!.baseUrl}${json.output_files[0]!.url}.json`).then((r) => r.json());
    expect((companion as { warnings: string[] }).warnings).to.deep.equal(json.warnings);
    for (const fragment of [
      "colour",
      "num_candidates_per_chunk=3",
      "Whisper",
      "stretched with sox",
      "espeak engine does not use cfg_weight",
    ]) {
      expect(joined).to.include(fragment);
    }
    // Post-processing and sound words are done, not reported as unavailable.
    expect(joined).not.to.match(/auto-editor|loudness|sound-word|not available on this server yet/);
    const streamed = await tts(body, "");
    expect(JSON.parse(streamed.headers.get("x-warnings") ?? "[]")).to.deep.equal(json.warnings);
    // Defaults ask for nothing: an unused parameter the client never sent is not worth a warning.
    const quiet = (await (await tts({ text: "Defaults ask for nothing." })).json()) as { warnings: string[] };
    expect(quiet.warnings).to.deep.equal(["fake: stretched with sox"]);
  });

  it("says when the engine's watermark differs from disable_watermark", async () => {
    await start({ watermarked: true });
    const json = (await (await tts({ text: "Marked." })).json()) as { warnings: string[] };
    expect(json.warnings.join()).to.include("always embeds the Perth watermark");
  });

  it("retries a failed segment with a fresh seed, resuming where it failed", async () => {
    const backend = await start({
      beforeSegment: (call, index) => {
        if (call === 0 && index === 1) throw new InferenceFailedError("boom");
      },
    });
    const body = { text: "Alpha one here. Beta two here. Gamma three.", seed: 7, smart_batch_short_sentences: false };
    const json = (await (await tts(body)).json()) as { warnings: string[] };
    expect(backend.calls).to.have.length(2);
    expect(backend.calls[1]!.segments.map((s) => s.text)).to.deep.equal(
      backend.calls[0]!.segments.slice(1).map((s) => s.text),
    );
    expect(backend.calls[1]!.segments[0]!.seed).not.to.equal(backend.calls[0]!.segments[1]!.seed);
    expect(json.warnings.join()).to.include("segment 2 failed and was generated again");
  });

  it("fails with 500 INFERENCE_FAILED once max_attempts_per_candidate is used up, leaving no files", async () => {
    await start({
      beforeSegment: () => {
        throw new InferenceFailedError("always");
      },
    });
    const response = await tts({ text: "Never works.", max_attempts_per_candidate: 2 });
    expect(response.status).to.equal(500);
    expect(await response.json()).to.include({ error_code: "INFERENCE_FAILED" });
    expect(await readdir(app!.config.paths.outputs)).to.deep.equal([]);
  });

  it("maps an overloaded engine to 429 and an engine that is not ready to 503, both with Retry-After", async () => {
    let error: Error = new OverloadedError("queue full", 2);
    await start({
      beforeSegment: () => {
        throw error;
      },
    });
    const busy = await tts({ text: "Busy." });
    expect(busy.status).to.equal(429);
    expect(busy.headers.get("retry-after")).to.equal("2");
    error = new ModelNotReadyError("restarting", 5);
    const down = await tts({ text: "Down." });
    expect(down.status).to.equal(503);
    expect(down.headers.get("retry-after")).to.equal("5");
    expect(await down.json()).to.include({ error_code: "MODEL_NOT_READY" });
  });

  it("passes speed_factor to the engine and trims silence, both visible in the file name and length", async () => {
    const backend = await start();
    const plain = await wavOf(await tts({ text: "Trim and speed.", export_formats: ["wav"] }, ""));
    const response = await tts(
      { text: "Trim and speed.", export_formats: ["wav"], speed_factor: 1.5, trim: true, trim_threshold_ms: 100 },
      "",
    );
    expect(response.headers.get("content-disposition")).to.match(/_temp0\.75_speed1\.5_trim100\.wav"$/);
    const trimmed = await wavOf(response);
    expect(backend.calls[1]!.speed).to.equal(1.5);
    // The tone is 1.5x shorter, and most of the 0.2 s of silence on each side is gone (trimming works on
    // 85 ms analysis frames, so a little more than the 50 ms pad may stay).
    const tone = 15 * SECONDS_PER_CHAR;
    expect(durationSeconds(plain)).to.be.closeTo(tone + 0.4, 0.01);
    expect(durationSeconds(trimmed)).to.be.within(tone / 1.5 + 0.1, tone / 1.5 + 0.4 - 0.2);
  });

  it("stops synthesis when the client disconnects and writes nothing", async () => {
    let reachedSegment!: () => void;
    const reached = new Promise<void>((resolve) => (reachedSegment = resolve));
    let callEnded!: (error: unknown) => void;
    const ended = new Promise<unknown>((resolve) => (callEnded = resolve));
    const backend = await start({
      // Holds segment 2 until the server notices the disconnect and aborts the call's signal.
      beforeSegment: async (_call, index, signal) => {
        if (index === 1) {
          reachedSegment();
          await new Promise((resolve) => signal?.addEventListener("abort", resolve, { once: true }));
        }
      },
      onCallEnd: (_call, error) => callEnded(error),
    });
    const controller = new AbortController();
    const request = tts(
      { text: "One sentence here. Two sentences here.", smart_batch_short_sentences: false },
      "",
      controller.signal,
    );
    await reached;
    controller.abort();
    await request.catch(() => undefined);
    expect(await ended).to.be.instanceOf(ClientGoneError);
    expect(backend.calls).to.have.length(1);
    expect(await readdir(app!.config.paths.outputs)).to.deep.equal([]);
  });

  it("downloads a URL reference voice from an allow-listed server, sends its bytes, and removes it", async () => {
    const voice = buildS16Wav(mono(FAKE_SAMPLE_RATE, sine({ freq: 180, seconds: 1, sampleRate: FAKE_SAMPLE_RATE })));
    const server = await startLocalServer((_request, response) => response.end(voice));
    try {
      const backend = await start({}, "url_sources:\n  enabled: true\n  allow_hosts: ['127.0.0.1']\n");
      const url = `${server.origin}/voices/guest.wav`;
      const json = (await (await tts({ text: "In a downloaded voice.", reference_audio_filename: url })).json()) as {
        output_files: Array<{ url: string }>;
      };
      expect(server.requests.map((request) => request.url)).to.deep.equal(["/voices/guest.wav"]);
      const sent = backend.calls[0]!.voice as { fileBytes: Buffer };
      expect(Buffer.compare(sent.fileBytes, voice)).to.equal(0);
      const companion = (await fetch(`${app!.baseUrl}${json.output_files[0]!.url}.json`).then((r) => r.json())) as {
        parameters: { reference_audio_filename: string };
      };
      expect(companion.parameters.reference_audio_filename).to.equal(url);
      expect(await readdir(app!.config.paths.temp)).to.deep.equal([]);
    } finally {
      await server.close();
    }
  });
});
