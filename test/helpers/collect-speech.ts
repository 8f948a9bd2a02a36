/** Speech straight from an inference backend (no HTTP, no post-processing), for tests and the benchmarks. */
import { concatPcm } from "../../src/audio/pcm.js";
import type { MonoPcm } from "../../src/domain/audio.js";
import type { InferenceBackend } from "../../src/domain/inference.js";

/** One SynthesizeStream of `texts`, every segment with `seed`, joined. */
export async function collectSpeech(backend: InferenceBackend, texts: string[], seed = 1): Promise<MonoPcm> {
  const parts: MonoPcm[] = [];
  let sampleRate = 0;
  for await (const event of backend.synthesizeStream(
    { segments: texts.map((text) => ({ text, seed })), params: {} },
    { requestId: "collect-speech" },
  )) {
    if (event.type === "start") sampleRate = event.sampleRate;
    if (event.type === "audio") parts.push({ sampleRate, samples: event.samples });
  }
  return concatPcm(parts);
}
