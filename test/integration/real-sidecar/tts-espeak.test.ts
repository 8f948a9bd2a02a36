/**
 * End to end: the Koa app, the real supervisor and the real Python sidecar with the espeak engine, through
 * HTTP. Covers real audio (decodable, non-silent), determinism, speed, and crash recovery.
 */
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { expect } from "chai";
import { durationSeconds } from "../../../src/audio/pcm.js";
import type { InferenceBackend, SynthesisEvent } from "../../../src/domain/inference.js";
import type { SidecarSupervisor } from "../../../src/sidecar/supervisor.js";
import { decodeAudio, rmsDbfs } from "../../helpers/audio-file.js";
import { probeAudio } from "../../helpers/ffprobe.js";
import { realSidecarSupervisor } from "../../helpers/real-sidecar.js";
import { makeDataDir, startTestApp, type TestApp } from "../../helpers/test-app.js";
import { buildS16Wav } from "../../helpers/wav-builder.js";
import { waitForEvent } from "../sidecar/helpers.js";

/** Forwards to `inner`, announcing the first audio of each stream so a test can act mid-request. */
function tapped(inner: InferenceBackend, onFirstAudio: () => void): InferenceBackend {
  return Object.assign(Object.create(inner) as InferenceBackend, {
    async *synthesizeStream(...args: Parameters<InferenceBackend["synthesizeStream"]>): AsyncIterable<SynthesisEvent> {
      let announced = false;
      for await (const event of inner.synthesizeStream(...args)) {
        if (event.type === "audio" && !announced) {
          announced = true;
          onFirstAudio();
        }
        yield event;
      }
    },
  });
}

describe("TTS through HTTP with the real sidecar (espeak engine)", function () {
  this.timeout(120_000);
  let supervisor: SidecarSupervisor;
  let app: TestApp;
  let onFirstAudio: () => void = () => undefined;

  before(async () => {
    const data = await makeDataDir();
    const { restart } = data.config.sidecar;
    supervisor = realSidecarSupervisor(data.config, {
      restart: { ...restart, backoffInitialMs: 50, backoffMaxMs: 200 },
    });
    await supervisor.start();
    const backend = tapped(supervisor.backend, () => onFirstAudio());
    app = await startTestApp({ backend, data, health: { snapshot: () => supervisor.snapshot(), backend } });
  });
  after(async () => {
    await app?.dispose();
    await supervisor?.stop();
  });

  const tts = (body: object, query = "") =>
    fetch(`${app.baseUrl}/api/v1/tts${query}`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(body),
    });

  async function wavOf(response: Response) {
    expect(
      response.status,
      await response
        .clone()
        .text()
        .then((t) => t.slice(0, 300)),
    ).to.equal(200);
    const bytes = Buffer.from(await response.arrayBuffer());
    expect(await probeAudio(bytes)).to.include({ codecName: "pcm_f32le", sampleRate: 24000, channels: 1 });
    return decodeAudio(bytes);
  }

  it("reports the espeak engine as healthy", async () => {
    const health = (await (await fetch(`${app.baseUrl}/api/v1/health`)).json()) as Record<string, any>;
    expect(health.status).to.equal("healthy");
    expect(health.engine).to.include({ name: "espeak", sample_rate: 24000 });
    expect(health.sidecar.address).to.match(/^127\.0\.0\.1:\d+$/);
  });

  it("speaks a real, non-silent 32-bit float WAV, and an MP3 reachable from the JSON answer", async () => {
    const speech = await wavOf(await tts({ text: "Hello world. This is a real test of the speech server.", seed: 1 }));
    expect(durationSeconds(speech)).to.be.within(1.5, 10);
    expect(rmsDbfs(speech.samples)).to.be.greaterThan(-35);
    const json = (await (
      await tts({ text: "Now as an MP3.", export_formats: ["mp3"] }, "?response_mode=json")
    ).json()) as {
      output_files: Array<{ url: string }>;
    };
    const mp3 = Buffer.from(await (await fetch(`${app.baseUrl}${json.output_files[0]!.url}`)).arrayBuffer());
    const decoded = await decodeAudio(mp3);
    expect(durationSeconds(decoded)).to.be.greaterThan(0.5);
    expect(rmsDbfs(decoded.samples)).to.be.greaterThan(-35);
  });

  it("gives identical audio for the same seed and a reference voice", async () => {
    const voice = await wavOf(await tts({ text: "A reference voice, spoken high.", seed: 3 }));
    await mkdir(join(app.config.paths.referenceAudio, "voices"), { recursive: true });
    await writeFile(join(app.config.paths.referenceAudio, "voices", "ref.wav"), buildS16Wav(voice));
    const body = { text: "Same seed, same voice, same sound.", seed: 1234, reference_audio_filename: "ref" };
    const first = await wavOf(await tts(body));
    const second = await wavOf(await tts(body));
    expect(Buffer.from(first.samples.buffer).equals(Buffer.from(second.samples.buffer))).to.equal(true);
  });

  it("warns about cfg_weight, which espeak does not use, only when the client sent it", async () => {
    const plain = await tts({ text: "Nothing unusual asked.", export_formats: ["wav"] });
    expect(plain.status).to.equal(200);
    expect(plain.headers.get("x-warnings")).to.equal(null);
    const tuned = await tts(
      { text: "A tuned request.", cfg_weight: 0.3, export_formats: ["wav"] },
      "?response_mode=json",
    );
    const { warnings } = (await tuned.json()) as { warnings: string[] };
    expect(warnings).to.deep.equal(["the espeak engine does not use cfg_weight; it has no effect"]);
  });

  it("speeds speech up with speed_factor, keeping it real speech", async () => {
    const body = { text: "Speed changes the duration of this sentence, not its pitch.", seed: 5 };
    const normal = await wavOf(await tts(body));
    const fast = await wavOf(await tts({ ...body, speed_factor: 1.5 }));
    expect(durationSeconds(fast) / durationSeconds(normal)).to.be.closeTo(1 / 1.5, 0.06);
  });

  it("restarts a sidecar killed while idle, and the next request succeeds", async () => {
    const ready = waitForEvent(supervisor, "ready");
    process.kill(supervisor.snapshot().pid!, "SIGKILL");
    await ready;
    await wavOf(await tts({ text: "Back again after a crash." }));
    expect(supervisor.snapshot().restarts).to.be.greaterThan(0);
  });

  it("fails a request with a 5xx error body within seconds when the sidecar dies during it", async () => {
    const firstAudio = new Promise<void>((resolve) => (onFirstAudio = resolve));
    const started = performance.now();
    const pending = tts({ text: Array.from({ length: 150 }, (_, i) => `This is sentence number ${i + 1}.`).join(" ") });
    await firstAudio;
    process.kill(supervisor.snapshot().pid!, "SIGKILL");
    const response = await pending;
    const seconds = (performance.now() - started) / 1000;
    expect(response.status).to.be.within(500, 599);
    expect(await response.json()).to.include({ success: false });
    expect(seconds).to.be.lessThan(10);
    onFirstAudio = () => undefined;
    await waitForEvent(supervisor, "ready");
  });
});
