/**
 * Engines side by side (item 11 of main.ts): Piper's real-time factor and time to first audio beside
 * espeak's, on the same segments, each engine in its own sidecar on this machine.
 */
import type { InferenceBackend } from "../../src/domain/inference.js";
import { realSidecarSupervisor } from "../helpers/real-sidecar.js";
import { makeDataDir } from "../helpers/test-app.js";
import { median, RUNS } from "./timing.js";

export interface StreamTimes {
  /** ms to the first audio chunk. */
  first: number;
  /** ms to the end of the stream. */
  total: number;
  audioSeconds: number;
}

/** One SynthesizeStream of `texts` (seed 1 each), timed. */
export async function streamTimes(backend: InferenceBackend, texts: string[]): Promise<StreamTimes> {
  const started = performance.now();
  let first = 0;
  let samples = 0;
  let sampleRate = 1;
  const input = { segments: texts.map((text) => ({ text, seed: 1 })), params: {} };
  for await (const event of backend.synthesizeStream(input, { requestId: "bench" })) {
    if (event.type === "start") sampleRate = event.sampleRate;
    if (event.type !== "audio") continue;
    first ||= performance.now() - started;
    samples += event.samples.length;
  }
  return { first, total: performance.now() - started, audioSeconds: samples / sampleRate };
}

export async function engineBench(espeak: InferenceBackend, texts: string[]): Promise<void> {
  const piper = realSidecarSupervisor((await makeDataDir()).config, {}, "piper");
  try {
    await piper.start();
  } catch (error) {
    console.log(`\nengines: Piper not measured, it did not start (${(error as Error).message})`);
    await piper.stop();
    return;
  }
  try {
    const runs = { piper: [] as StreamTimes[], espeak: [] as StreamTimes[] };
    for (let run = 0; run < RUNS; run += 1) {
      runs.piper.push(await streamTimes(piper.backend, texts));
      runs.espeak.push(await streamTimes(espeak, texts));
    }
    console.log(
      `\nengines: the same ${texts.length} segments, each engine in its own sidecar; medians of ${RUNS} runs\n`,
    );
    console.log("| engine | first audio | whole | audio | real-time factor |\n|---|---|---|---|---|");
    for (const [engine, times] of Object.entries(runs)) {
      const [first, total] = [median(times.map((t) => t.first)), median(times.map((t) => t.total))];
      const audio = times[0]!.audioSeconds;
      console.log(
        `| ${engine} | ${first.toFixed(0)} ms | ${total.toFixed(0)} ms | ${audio.toFixed(1)} s | ${(total / 1000 / audio).toFixed(3)} |`,
      );
    }
  } finally {
    await piper.stop();
  }
}
