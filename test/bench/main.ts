/**
 * `npm run bench`: speed ratios measured side by side in one run, against the real sidecar with the espeak
 * engine (the engine this machine has). Absolute times depend on the machine; the ratios are what to compare.
 *
 * 1. streaming: time to the first audio chunk vs the whole SynthesizeStream of a 12-sentence text;
 * 2. HTTP overhead: POST /api/v1/tts (WAV only) vs the same segments straight through the gRPC client;
 * 3. export: WAV + MP3 + FLAC vs WAV only, through HTTP;
 * 4. stretch: audiostretchy (TDHS) vs sox (WSOLA) on the same 1.5x speed-up of ~10 s of speech;
 * 5. library: start to ready and GET /api/v1/outputs from the index vs a directory walk (library.ts).
 */
import { concatPcm } from "../../src/audio/pcm.js";
import type { MonoPcm } from "../../src/domain/audio.js";
import type { InferenceBackend, StretchLibraryName } from "../../src/domain/inference.js";
import { segmentText } from "../../src/text/segment.js";
import { realSidecarSupervisor } from "../helpers/real-sidecar.js";
import { makeDataDir, startTestApp, type TestApp } from "../helpers/test-app.js";
import { libraryBench } from "./library.js";
const RUNS = 7;
const TEXT = Array.from({ length: 12 }, (_, i) => `This is sentence number ${i + 1} of the benchmark text.`).join(" ");

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

async function timed(action: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await action();
  return performance.now() - started;
}

/** Runs both actions RUNS times, interleaved so drift in machine load hits both alike. */
async function sideBySide(a: () => Promise<unknown>, b: () => Promise<unknown>): Promise<[number, number]> {
  const times: [number[], number[]] = [[], []];
  for (let run = 0; run < RUNS; run += 1) {
    times[0].push(await timed(a));
    times[1].push(await timed(b));
  }
  return [median(times[0]), median(times[1])];
}

async function streamTimes(backend: InferenceBackend, texts: string[]): Promise<{ first: number; total: number }> {
  const started = performance.now();
  let first = 0;
  for await (const event of backend.synthesizeStream(
    { segments: texts.map((text) => ({ text, seed: 1 })), params: {} },
    { requestId: "bench" },
  )) {
    if (event.type === "audio" && first === 0) first = performance.now() - started;
  }
  return { first, total: performance.now() - started };
}

async function collectSpeech(backend: InferenceBackend, texts: string[]): Promise<MonoPcm> {
  const parts: MonoPcm[] = [];
  let sampleRate = 0;
  for await (const event of backend.synthesizeStream(
    { segments: texts.map((text) => ({ text, seed: 1 })), params: {} },
    { requestId: "bench" },
  )) {
    if (event.type === "start") sampleRate = event.sampleRate;
    if (event.type === "audio") parts.push({ sampleRate, samples: event.samples });
  }
  return concatPcm(parts);
}

function post(app: TestApp, body: object): Promise<unknown> {
  return fetch(`${app.baseUrl}/api/v1/tts`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(body),
  }).then(async (response) => {
    if (response.status !== 200) throw new Error(`TTS failed: ${response.status} ${await response.text()}`);
    return response.arrayBuffer();
  });
}

function row(name: string, a: [string, number], b: [string, number]): string {
  return `| ${name} | ${a[0]} ${a[1].toFixed(0)} ms | ${b[0]} ${b[1].toFixed(0)} ms | ${(a[1] / b[1]).toFixed(2)} |`;
}

async function main(): Promise<void> {
  const data = await makeDataDir();
  const supervisor = realSidecarSupervisor(data.config);
  const info = await supervisor.start();
  const app = await startTestApp({ backend: supervisor.backend, data, health: supervisor });
  try {
    const backend = supervisor.backend;
    const texts = segmentText(TEXT, { smartBatchShortSentences: false });
    const streams = [];
    for (let run = 0; run < RUNS; run += 1) streams.push(await streamTimes(backend, texts));
    const first = median(streams.map((s) => s.first));
    const total = median(streams.map((s) => s.total));
    const body = { text: TEXT, seed: 1, smart_batch_short_sentences: false };
    const [http, direct] = await sideBySide(
      () => post(app, { ...body, export_formats: ["wav"] }),
      () => collectSpeech(backend, texts),
    );
    const [allFormats, wavOnly] = await sideBySide(
      () => post(app, { ...body, export_formats: ["wav", "mp3", "flac"] }),
      () => post(app, { ...body, export_formats: ["wav"] }),
    );
    const speech = await collectSpeech(backend, texts);
    const stretch = (library: StretchLibraryName) => () => backend.timeStretch({ audio: speech, speed: 1.5, library });
    const [tdhs, sox] = await sideBySide(stretch("audiostretchy"), stretch("sox"));
    console.log(
      `engine ${info.engine} (${info.engineVersion}) on ${info.device}; ${texts.length} segments, ` +
        `${(speech.samples.length / speech.sampleRate).toFixed(1)} s of audio; medians of ${RUNS} runs\n`,
    );
    console.log("| measure | A | B | A / B |\n|---|---|---|---|");
    console.log(row("streaming: first audio vs whole stream", ["first chunk", first], ["whole", total]));
    console.log(row("HTTP overhead: /api/v1/tts (wav) vs direct gRPC", ["HTTP", http], ["gRPC", direct]));
    console.log(row("export: wav+mp3+flac vs wav", ["3 formats", allFormats], ["wav", wavOnly]));
    console.log(row("stretch x1.5: audiostretchy vs sox", ["TDHS", tdhs], ["sox", sox]));
  } finally {
    await app.dispose();
    await supervisor.stop();
  }
}

await main();
await libraryBench();
