/** How well the offline Whisper model `base` (installed by `npm install`) hears speech, as a word error rate. */
import type { MonoPcm } from "../../src/domain/audio.js";
import type { InferenceBackend } from "../../src/domain/inference.js";
import { wordErrorRate } from "../../src/text/transcript-score.js";

/** The word error rate of what Whisper `base` hears in `pcm` against `text`, the words meant to be spoken. */
export async function heardWordErrorRate(backend: InferenceBackend, text: string, pcm: MonoPcm): Promise<number> {
  const heard = await backend.transcribe({
    audio: { pcm },
    model: "base",
    language: "en",
    temperature: 0,
    beamSize: 5,
  });
  return wordErrorRate(text, heard.text);
}

export const percent = (rate: number) => `${(rate * 100).toFixed(1)} %`;
