/**
 * Progressive speech (item 10 of main.ts): time to first audio vs the whole response for a 2 000-character
 * text through /v1/audio/speech (pcm and mp3, `stream_format: audio`) and through the realtime WebSocket fed
 * word by word; and the orchestrator's own cost: the same text streamed as pcm through HTTP vs straight from
 * the sidecar over gRPC, both to the first byte and to the end.
 */
import { Worker } from "node:worker_threads";
import WebSocket from "ws";
import type { InferenceBackend } from "../../src/domain/inference.js";
import { toTtsRequest } from "../../src/services/openai/speech-request.js";
import { synthesisInput } from "../../src/services/tts/progressive-synthesis.js";
import { prepareText } from "../../src/services/tts/text-preparation.js";
import type { TestApp } from "../helpers/test-app.js";
import { median, RUNS } from "./timing.js";

const SENTENCE = "The quick reader turns the page and the story carries on into the night. ";
const TEXT = SENTENCE.repeat(Math.ceil(2000 / SENTENCE.length))
  .slice(0, 2000)
  .trim();
const SEED = 1;
/** The bench sidecar's default engine, named so that HTTP and gRPC speak with the same one (tts-1 means piper). */
const ENGINE = "espeak";

interface Times {
  first: number;
  total: number;
}

/** First and last byte of a streamed /v1/audio/speech response, read by `client` on its own thread. */
function httpTimes(client: Worker, app: TestApp, format: "pcm" | "mp3"): Promise<Times> {
  const body = { model: ENGINE, voice: "alloy", input: TEXT, response_format: format, seed: SEED };
  client.postMessage({ url: `${app.baseUrl}/v1/audio/speech`, body });
  return new Promise((resolve, reject) => {
    client.once("message", (answer: { times?: Times; error?: string }) =>
      answer.times ? resolve(answer.times) : reject(new Error(answer.error)),
    );
  });
}

/** The same segments and seeds the HTTP request speaks, straight through the gRPC client. */
async function grpcTimes(app: TestApp, backend: InferenceBackend, segmentLimit: number): Promise<Times> {
  const request = toTtsRequest({ input: TEXT, referenceAudioFilename: undefined, seed: SEED }, app.config.ttsDefaults);
  const { texts } = prepareText(request, segmentLimit);
  const input = synthesisInput({ request, texts, seedUsed: SEED, voice: undefined, engine: ENGINE });
  const started = performance.now();
  let first = 0;
  for await (const event of backend.synthesizeStream(input, { requestId: "bench" })) {
    if (event.type === "audio") first ||= performance.now() - started;
  }
  return { first, total: performance.now() - started };
}

/** The realtime WebSocket fed the text word by word, then flushed: first delta and `speech.audio.done`. */
function webSocketTimes(app: TestApp): Promise<Times> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(`${app.baseUrl.replace(/^http/, "ws")}/v1/audio/speech/ws`);
    let started = 0;
    let first = 0;
    socket.on("error", reject);
    socket.on("message", (data) => {
      const event = JSON.parse(String(data)) as { type: string; error?: { message: string } };
      if (event.type === "session.created") {
        socket.send(JSON.stringify({ type: "session.update", session: { response_format: "pcm", seed: SEED } }));
      } else if (event.type === "session.updated") {
        started = performance.now();
        for (const word of TEXT.split(" "))
          socket.send(JSON.stringify({ type: "input_text.append", text: `${word} ` }));
        socket.send(JSON.stringify({ type: "input_text.flush" }));
      } else if (event.type === "speech.audio.delta") {
        first ||= performance.now() - started;
      } else if (event.type === "speech.audio.done") {
        resolve({ first, total: performance.now() - started });
        socket.close();
      } else if (event.type === "error") {
        reject(new Error(event.error?.message ?? "realtime error"));
      }
    });
  });
}

/** Runs every measure in turn, round after round (see timing.ts), and returns the medians of each. */
async function medians(measures: Array<() => Promise<Times>>): Promise<Times[]> {
  const runs: Times[][] = measures.map(() => []);
  for (let run = 0; run < RUNS; run += 1) {
    for (const [k, measure] of measures.entries()) runs[k]!.push(await measure());
  }
  return runs.map((times) => ({ first: median(times.map((t) => t.first)), total: median(times.map((t) => t.total)) }));
}

const ms = (value: number) => `${value.toFixed(0)} ms`;

export async function openAiSpeechBench(app: TestApp, backend: InferenceBackend, segmentLimit: number) {
  const client = new Worker(new URL("./stream-client.js", import.meta.url));
  let measured: Times[];
  try {
    // A first request warms the client's fetch and connection up, as a long-lived client would be.
    await httpTimes(client, app, "pcm");
    measured = await medians([
      () => httpTimes(client, app, "pcm"),
      () => httpTimes(client, app, "mp3"),
      () => webSocketTimes(app),
      () => grpcTimes(app, backend, segmentLimit),
    ]);
  } finally {
    await client.terminate();
  }
  const [pcm, mp3, ws, grpc] = measured;
  console.log(`\nprogressive speech: ${TEXT.length} characters; medians of ${RUNS} runs\n`);
  console.log("| path | first audio | whole | first / whole |\n|---|---|---|---|");
  const ratioRow = (name: string, t: Times) =>
    console.log(`| ${name} | ${ms(t.first)} | ${ms(t.total)} | ${(t.first / t.total).toFixed(3)} |`);
  ratioRow("/v1/audio/speech pcm (stream_format audio)", pcm!);
  ratioRow("/v1/audio/speech mp3 (stream_format audio)", mp3!);
  ratioRow("WebSocket, fed word by word", ws!);
  ratioRow("direct gRPC SynthesizeStream", grpc!);
  console.log(`\norchestrator cost: /v1/audio/speech pcm vs direct gRPC (aim: ≤ 5 % or ≤ 3 ms at p50)\n`);
  console.log("| measure | A | B | A / B | A − B |\n|---|---|---|---|---|");
  for (const key of ["first", "total"] as const) {
    const [a, b] = [pcm![key], grpc![key]];
    console.log(
      `| ${key === "first" ? "first byte" : "whole"} | HTTP ${ms(a)} | gRPC ${ms(b)} | ${(a / b).toFixed(3)} | ${ms(a - b)} |`,
    );
  }
}
