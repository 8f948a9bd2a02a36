/** Real espeak speech for the benchmarks, straight from the backend (no HTTP, no post-processing). */
import type { MonoPcm } from "../../src/domain/audio.js";
import type { InferenceBackend } from "../../src/domain/inference.js";
import { collectSpeech } from "../helpers/collect-speech.js";

/** Sentences of ordinary length and varied sounds, so pitch tracking and stretching see real speech. */
export const CLIP_SENTENCES = [
  "The quick brown fox jumps over the lazy dog near the quiet river bank.",
  "Seven small boats sailed past the harbour lights before the storm arrived.",
  "She measured the flour, warmed the milk, and waited for the oven to heat.",
  "Every morning the old clock in the hallway chimed a little after eight.",
  "Would you mind reading the last paragraph aloud once more, slowly this time?",
  "Thunder rolled across the valley while the children counted the seconds.",
  "Nobody expected the museum to open its doors again so soon after the fire.",
  "If the train is late tomorrow, we will meet at the café across the square.",
];

/**
 * Exactly `seconds` of speech: the sentences spoken once, repeated end to end as often as needed and cut.
 * Repeating keeps the set-up short; a stretcher or vocoder does the same work on a repeat as on new words.
 */
export async function speechClip(backend: InferenceBackend, seconds: number): Promise<MonoPcm> {
  const spoken = await collectSpeech(backend, CLIP_SENTENCES);
  const length = Math.round(seconds * spoken.sampleRate);
  const samples = new Float32Array(length);
  for (let offset = 0; offset < length; offset += spoken.samples.length) {
    samples.set(spoken.samples.subarray(0, length - offset), offset);
  }
  return { sampleRate: spoken.sampleRate, samples };
}
