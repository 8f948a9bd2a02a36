/**
 * Verified TTS end to end: the espeak engine speaks ten sentences, the sidecar's faster-whisper (the offline
 * tiny.en pack) transcribes each chunk, and the server keeps tries whose transcript matches the text,
 * reporting every transcript and score in the response and the metadata companion.
 */
import { expect } from "chai";
import { startEspeakApp, type EspeakApp } from "../../helpers/espeak-app.js";

const SENTENCES = [
  "The storm passed over the hills at night.",
  "By morning the river had risen.",
  "The bridge was closed to every car.",
  "Farmers waited by the road for news.",
  "Children watched the water from the school windows.",
  "There were 12 boats tied along the bank.",
  "Then, slowly, the level began to fall.",
  "By evening the road was open again.",
  "People walked into town to buy bread.",
  "The sun came out before it went down.",
];

interface TryView {
  candidate: number;
  attempt: number;
  seed: number;
  transcript: string | null;
  wer: number | null;
  duration_seconds: number | null;
}
interface ChunkView {
  index: number;
  text: string;
  chosen: { candidate: number; attempt: number };
  passed: boolean | null;
  tries: TryView[];
}

describe("verified TTS with the real sidecar (espeak engine, Whisper tiny.en)", function () {
  // Ten chunks, each transcribed on CPU, the first request loading the model.
  this.timeout(300_000);
  let espeak: EspeakApp;

  before(async () => {
    espeak = await startEspeakApp(undefined, "tts_defaults:\n  bypass_whisper_checking: false\n");
  });
  after(() => espeak?.stop());

  it("transcribes and scores every chunk, keeps passing tries, and records them in the metadata", async () => {
    const { app } = espeak;
    const response = await fetch(`${app.baseUrl}/api/v1/tts?response_mode=json`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({
        text: SENTENCES.join(" "),
        whisper_model_name: "tiny.en",
        seed: 11,
        smart_batch_short_sentences: false,
        export_formats: ["wav"],
      }),
    });
    const json = (await response.json()) as any;
    expect(response.status, JSON.stringify(json)).to.equal(200);
    const maxWer = app.config.stt.verifyMaxWer;
    expect(json.verification).to.deep.include({ applied: true, model: "tiny.en", max_wer: maxWer, chunks: 10 });

    const companion = (await (await fetch(`${app.baseUrl}${json.output_files[0].url}.json`)).json()) as any;
    expect(companion.verification).to.deep.include({ ...json.verification, language: "en" });
    const chunks = companion.verification.chunk_details as ChunkView[];
    expect(chunks.map((chunk) => chunk.text)).to.deep.equal(SENTENCES.map((s) => s.toLowerCase()));
    for (const chunk of chunks) {
      const chosen = chunk.tries.find(
        (t) => t.candidate === chunk.chosen.candidate && t.attempt === chunk.chosen.attempt,
      )!;
      expect(chosen.transcript, chunk.text).to.be.a("string").and.not.equal("");
      if (chunk.passed) expect(chosen.wer, `${chunk.text} → ${chosen.transcript}`).to.be.at.most(maxWer);
      // Every try made is recorded, and only the last of a passing chunk passed.
      for (const earlier of chunk.passed ? chunk.tries.slice(0, -1) : chunk.tries) {
        expect(earlier.wer === null || earlier.wer > maxWer, JSON.stringify(earlier)).to.equal(true);
      }
    }
    const failed = chunks.filter((chunk) => chunk.passed === false);
    expect(json.verification.chunks_failed).to.equal(failed.length);
    expect(json.verification.tries).to.equal(chunks.reduce((sum, chunk) => sum + chunk.tries.length, 0));
    if (failed.length > 0) expect(json.warnings.join("\n")).to.include("did not pass Whisper validation");
    // espeak is intelligible and tiny.en hears most of it; a short sentence with one word misheard stays above
    // the threshold (1 of 6 words is 0.17), which is what the retries are for.
    expect(chunks.filter((chunk) => chunk.passed).length).to.be.at.least(6);
  });
});
