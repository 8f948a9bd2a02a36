/**
 * Speech recognition: the real-time factor (decode time / audio time) of every installed Whisper model on a
 * 60 s espeak clip through the sidecar's Transcribe, and the cost of verified TTS (each chunk transcribed and
 * scored, regenerated when it fails) against the same request unverified.
 */
import type { MonoPcm } from "../../src/domain/audio.js";
import type { InferenceBackend } from "../../src/domain/inference.js";
import type { TestApp } from "../helpers/test-app.js";
import { postForAudio } from "./http.js";
import { row, TABLE_HEADER } from "./table.js";
import { median, sideBySide, timed } from "./timing.js";

const RTF_RUNS = 3;
const VERIFY_RUNS = 3;
/** Ten sentences: the verified request transcribes each of its chunks. */
const VERIFY_TEXT = Array.from(
  { length: 10 },
  (_, i) => `The report for week ${i + 1} arrived late, but every figure in it was checked twice.`,
).join(" ");

export async function sttBench(app: TestApp, backend: InferenceBackend, clip: MonoPcm): Promise<void> {
  const seconds = clip.samples.length / clip.sampleRate;
  const installed = (await backend.transcriptionModels()).models.filter((m) => m.installed).map((m) => m.name);
  console.log(`\nstt: a ${seconds.toFixed(1)} s espeak clip; medians of ${RTF_RUNS} runs after one untimed load\n`);
  console.log("| model | decode time | real-time factor |\n|---|---|---|");
  for (const model of installed) {
    const transcribe = () => backend.transcribe({ audio: { pcm: clip }, model, language: "en", temperature: 0 });
    await transcribe();
    const times = [];
    for (let run = 0; run < RTF_RUNS; run += 1) times.push(await timed(transcribe));
    const ms = median(times);
    console.log(`| ${model} | ${ms.toFixed(0)} ms | ${(ms / 1000 / seconds).toFixed(3)} |`);
  }
  await verifiedCost(app, installed);
}

async function verifiedCost(app: TestApp, installed: string[]): Promise<void> {
  const body = { text: VERIFY_TEXT, seed: 7, export_formats: ["wav"], smart_batch_short_sentences: false };
  console.log(`\nverified TTS: ${VERIFY_TEXT.length} characters, 10 sentences; medians of ${VERIFY_RUNS} runs\n`);
  console.log(TABLE_HEADER);
  for (const model of installed) {
    const verified = () =>
      postForAudio(app, "/api/v1/tts", { ...body, bypass_whisper_checking: false, whisper_model_name: model });
    const plain = () => postForAudio(app, "/api/v1/tts", { ...body, bypass_whisper_checking: true });
    await verified();
    const [a, b] = await sideBySide(verified, plain, VERIFY_RUNS);
    console.log(row(`verified (${model}) vs unverified TTS`, ["verified", a], ["unverified", b]));
  }
}
