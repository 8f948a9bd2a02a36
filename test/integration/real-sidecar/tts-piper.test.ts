/**
 * TTS through HTTP with the real Piper engine and the voice `npm install` puts in models/piper
 * (en_US-joe-medium): health names it and its licence, every seed gives the same bytes (and a seed sent is
 * reported as having no effect), speed is native (the voice speaks slower or faster, no time stretch), and
 * parameters Piper cannot use are reported.
 */
import { expect } from "chai";
import { decodeAudio } from "../../helpers/audio-file.js";
import { startEngineApp, PARAGRAPH, type EspeakApp } from "../../helpers/espeak-app.js";

type Json = Record<string, any>;

describe("TTS through HTTP with the real Piper engine (en_US-joe-medium)", function () {
  this.timeout(180_000);
  let piper: EspeakApp;
  before(async () => {
    piper = await startEngineApp("piper");
  });
  after(() => piper?.stop());

  const tts = async (body: object): Promise<{ bytes: Buffer; response: Response }> => {
    const response = await fetch(`${piper.app.baseUrl}/api/v1/tts`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ export_formats: ["wav"], ...body }),
    });
    expect(response.status, await response.clone().text()).to.equal(200);
    return { bytes: Buffer.from(await response.arrayBuffer()), response };
  };
  const seconds = async (bytes: Buffer) => {
    const audio = await decodeAudio(bytes);
    return audio.samples.length / audio.sampleRate;
  };

  it("reports Piper in health and /v1/models, with the voice and its licence", async () => {
    const health = (await (await fetch(`${piper.app.baseUrl}/api/v1/health`)).json()) as Json;
    expect(health.engine).to.include({ name: "piper", sample_rate: 24_000 });
    expect(health.engine.voice.name).to.equal("en_US-joe-medium");
    expect(health.engine.voice.licence).to.match(/research|non-commercial|development/i);
    const models = (await (await fetch(`${piper.app.baseUrl}/v1/models`)).json()) as { data: Json[] };
    const own = models.data.find((model) => model.id === "piper")!;
    expect(own).to.include({ owned_by: "rhasspy", kind: "tts", engine: "piper" });
    expect(own.voice).to.deep.equal(health.engine.voice);
  });

  it("speaks with espeak when a request names it, while the default stays Piper", async () => {
    const text = "Which engine is speaking now?";
    const named = await tts({ text, engine: "espeak", seed: 5 });
    const plain = await tts({ text, seed: 5 });
    expect(named.response.headers.get("x-engine")).to.equal("espeak");
    expect(plain.response.headers.get("x-engine")).to.equal("piper");
    expect(named.bytes.equals(plain.bytes)).to.equal(false);
    const health = (await (await fetch(`${piper.app.baseUrl}/api/v1/health`)).json()) as Json;
    expect(health.engine.name).to.equal("piper");
    expect((health.engines as Json[]).map((engine) => engine.name)).to.deep.equal(["piper", "espeak"]);
    expect((health.engines as Json[])[0]!.memory_mb).to.be.greaterThan(0);
    // Chatterbox is in the default inference.engines but has no weights here: listed with the reason.
    expect((health.unavailable_engines as Json[]).map((engine) => engine.name)).to.deep.equal(["chatterbox"]);
    const speech = (model: string) =>
      fetch(`${piper.app.baseUrl}/v1/audio/speech`, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ model, voice: "alloy", input: text, response_format: "pcm" }),
      });
    expect((await speech("espeak")).headers.get("x-engine")).to.equal("espeak");
    expect((await speech("tts-1")).headers.get("x-engine")).to.equal("piper");
  });

  it("gives byte-identical audio for the same seed, and for another, saying the seed has no effect", async () => {
    const body = { text: PARAGRAPH, seed: 11 };
    const [a, b, other] = [await tts(body), await tts(body), await tts({ ...body, seed: 12 })];
    expect(a.bytes.equals(b.bytes)).to.equal(true);
    expect(other.bytes.equals(a.bytes)).to.equal(true);
    expect(await seconds(a.bytes)).to.be.within(8, 30);
    expect(JSON.parse(a.response.headers.get("x-warnings")!)).to.deep.equal([
      "the piper engine does not use seed; it has no effect",
    ]);
  });

  it("speaks at speed 0.5 and 2.0 lasting 1/speed as long within 3 %, 0.5 by the voice itself", async () => {
    const text = "The quick brown fox jumps over the lazy dog, and then it runs all the way home again.";
    const normal = await seconds((await tts({ text })).bytes);
    for (const speed of [0.5, 2.0]) {
      const { bytes, response } = await tts({ text, speed_factor: speed });
      expect((await seconds(bytes)) / normal, `speed ${speed}`).to.be.closeTo(1 / speed, 0.03 / speed);
      expect(JSON.parse(response.headers.get("x-warnings") ?? "[]")).to.deep.equal([]);
    }
    // Piper speaks slower by its own length scale: no time-stretch library touched the audio.
    const json = await fetch(`${piper.app.baseUrl}/api/v1/tts?response_mode=json`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ text, speed_factor: 0.5, export_formats: ["wav"] }),
    });
    const { output_files: files } = (await json.json()) as { output_files: Array<{ url: string }> };
    const companion = (await (await fetch(`${piper.app.baseUrl}${files[0]!.url}.json`)).json()) as Json;
    expect(companion.generation_info).to.include({ engine: "piper", speed_factor_library_used: null });
    const speed = (companion.generation_info.post_processing as Json[]).find((stage) => stage.name === "speed")!;
    expect(speed).to.include({ speed_factor: 0.5, library: null });
  });

  it("reports the sampling parameters Piper does not use", async () => {
    const { response } = await tts({ text: "Hello there.", temperature: 1.2, exaggeration: 0.9 });
    const warnings = JSON.parse(response.headers.get("x-warnings")!) as string[];
    expect(warnings.some((w) => /piper engine does not use .*temperature/.test(w) && /exaggeration/.test(w))).to.equal(
      true,
    );
  });
});
