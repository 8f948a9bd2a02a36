/**
 * Intelligibility measured, not assumed: 15 semantically unpredictable sentences (no context for a listener or
 * a language model to fill gaps in) spoken by each offline engine and transcribed by the offline Whisper model
 * `base`; the word error rate of each engine is printed, and Piper must beat espeak.
 */
import { expect } from "chai";
import type { EngineName, InferenceBackend } from "../../../src/domain/inference.js";
import { collectSpeech } from "../../helpers/collect-speech.js";
import { startEngineApp } from "../../helpers/espeak-app.js";
import { heardWordErrorRate, percent } from "../../helpers/word-errors.js";

const SENTENCES = [
  "The quiet table drinks a purple answer.",
  "A narrow river paints the loud idea.",
  "Seven windows argue with the sleepy coin.",
  "The brave kettle forgets a yellow mountain.",
  "My silver garden eats the honest thunder.",
  "A tired pencil climbs the frozen song.",
  "The green number swims beside a hollow chair.",
  "Her wooden cloud remembers the angry spoon.",
  "The empty bridge whistles at a careful onion.",
  "Nine heavy shadows borrow the gentle clock.",
  "A polite engine buries the smooth orange.",
  "The bitter ladder teaches a curious stone.",
  "His distant blanket follows the rapid salt.",
  "The soft hammer waters a clever moon.",
  "A sudden mirror plants the wide violin.",
];

/** Word errors over all sentences / words of all sentences. */
async function engineWer(backend: InferenceBackend): Promise<number> {
  let errors = 0;
  let words = 0;
  for (const [k, text] of SENTENCES.entries()) {
    const rate = await heardWordErrorRate(backend, text, await collectSpeech(backend, [text], k + 1));
    const count = text.split(/\s+/).length;
    errors += rate * count;
    words += count;
  }
  return errors / words;
}

describe("intelligibility of the offline engines (real sidecar, Whisper base)", function () {
  this.timeout(300_000);

  it("measures each engine's word error rate on 15 unpredictable sentences; Piper beats espeak", async function () {
    const wer: Partial<Record<EngineName, number>> = {};
    for (const engine of ["piper", "espeak"] as const) {
      const running = await startEngineApp(engine);
      try {
        wer[engine] = await engineWer(running.backend);
      } finally {
        await running.stop();
      }
    }
    // The figures go in the test's title, so every run prints them.
    this.test!.title += `: piper ${percent(wer.piper!)}, espeak ${percent(wer.espeak!)}`;
    expect(wer.piper).to.be.below(wer.espeak!);
  });
});
