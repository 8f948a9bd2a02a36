/**
 * The text of a TTS request as the engine speaks it: sound words first (spec §7: they work on the text as
 * written), then the preprocessing options, then segmentation into pieces the engine accepts. Shared by the
 * file-producing pipeline and progressive streaming, so both speak exactly the same segments.
 */
import { ValidationError } from "../../domain/errors.js";
import { preprocessText } from "../../text/preprocess.js";
import { segmentText } from "../../text/segment.js";
import { applySoundWords, type SoundWordReplacement } from "../../text/sound-words.js";
import type { TtsRequest } from "./tts-request.js";

/** The text as it is spoken. */
export interface PreparedText {
  /** Sound-word rules that matched, with their counts. */
  soundWords: SoundWordReplacement[];
  /** The segments sent to the engine. */
  texts: string[];
  /** The same segments in the text's own case (captions show these; `to_lowercase` only changes what is spoken). */
  displayTexts: string[];
}

/** @throws ValidationError (422) when nothing speakable is left. */
export function prepareText(request: TtsRequest, maxChars: number): PreparedText {
  const opts = request.options;
  const soundWords = applySoundWords(request.text, opts.sound_words_field);
  const processed = preprocessText(soundWords.text, {
    normalizeSpacing: opts.normalize_spacing,
    fixDotLetters: opts.fix_dot_letters,
    removeReferenceNumbers: opts.remove_reference_numbers,
  });
  // Punctuation alone is nothing to speak either (e.g. "Um." once `um` is removed).
  if (!/[\p{L}\p{N}]/u.test(processed)) {
    const why = soundWords.replacements.length > 0 ? "sound-word removal and preprocessing" : "preprocessing";
    throw new ValidationError(`Text is empty after ${why}`, [
      { loc: ["body", "text"], msg: `nothing is left to speak after ${why}`, type: "value_error" },
    ]);
  }
  const displayTexts = segments(request, processed, maxChars);
  // Lower-casing comes after segmentation, so both lists cut the text at the same places.
  const texts = request.options.to_lowercase ? displayTexts.map((text) => text.toLowerCase()) : displayTexts;
  return { soundWords: soundWords.replacements, texts, displayTexts };
}

/** Preprocessed text cut into segments of at most `maxChars`, in its own case. */
function segments(request: TtsRequest, processed: string, maxChars: number): string[] {
  const opts = request.options;
  return segmentText(processed, {
    maxChars,
    enableBatching: opts.enable_batching,
    smartBatchShortSentences: opts.smart_batch_short_sentences,
    ...(request.language ? { language: request.language } : {}),
  });
}
