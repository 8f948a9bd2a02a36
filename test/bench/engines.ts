/**
 * Engines side by side (item 11 of main.ts): the real-time factor and time to first audio of every engine the
 * bench's sidecar holds (Piper beside espeak here), on the same segments, each request naming its engine.
 */
import type { EngineName, InferenceBackend } from "../../src/domain/inference.js";
import { median, RUNS } from "./timing.js";

export interface StreamTimes {
  /** ms to the first audio chunk. */
  first: number;
  /** ms to the end of the stream. */
  total: number;
  audioSeconds: number;
}

/** One SynthesizeStream of `texts` (seed 1 each) by `engine` (undefined = the default), timed. */
export async function streamTimes(
  backend: InferenceBackend,
  texts: string[],
  engine?: EngineName,
): Promise<StreamTimes> {
  const started = performance.now();
  let first = 0;
  let samples = 0;
  let sampleRate = 1;
  const input = { segments: texts.map((text) => ({ text, seed: 1 })), params: {}, ...(engine ? { engine } : {}) };
  for await (const event of backend.synthesizeStream(input, { requestId: "bench" })) {
    if (event.type === "start") sampleRate = event.sampleRate;
    if (event.type !== "audio") continue;
    first ||= performance.now() - started;
    samples += event.samples.length;
  }
  return { first, total: performance.now() - started, audioSeconds: samples / sampleRate };
}

export async function engineBench(backend: InferenceBackend, texts: string[]): Promise<void> {
  const { loaded, unavailable } = await backend.engines();
  for (const { engine, reason } of unavailable) console.log(`\nengines: ${engine} not measured (${reason})`);
  const runs = new Map<EngineName, StreamTimes[]>(loaded.map((info) => [info.engine, []]));
  for (let run = 0; run < RUNS; run += 1) {
    for (const [engine, times] of runs) times.push(await streamTimes(backend, texts, engine));
  }
  console.log(`\nengines: the same ${texts.length} segments by each engine of one sidecar; medians of ${RUNS} runs\n`);
  console.log("| engine | first audio | whole | audio | real-time factor |\n|---|---|---|---|---|");
  for (const [engine, times] of runs) {
    const [first, total] = [median(times.map((t) => t.first)), median(times.map((t) => t.total))];
    const audio = times[0]!.audioSeconds;
    console.log(
      `| ${engine} | ${first.toFixed(0)} ms | ${total.toFixed(0)} ms | ${audio.toFixed(1)} s | ${(total / 1000 / audio).toFixed(3)} |`,
    );
  }
}
