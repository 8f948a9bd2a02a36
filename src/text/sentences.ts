/**
 * Sentence splitting for synthesis. The engines speak one segment at a time, so a sentence boundary in the
 * wrong place is heard as a pause in the middle of a sentence: hence the care with line breaks and short
 * abbreviations below.
 */

/** Sentences this short (after trimming) are merged into a neighbour instead of being spoken alone. */
export const TINY_SENTENCE_MAX_CHARS = 3;

/** English titles that ICU treats as sentence ends but which always lead into the next words. */
const LEADING_ABBREVIATIONS = /(?:^|\s)(?:mr|mrs|ms|dr|prof|rev|capt|lt|col|sgt|vs)\.$/i;

/**
 * Splits text into trimmed, non-empty sentences with `Intl.Segmenter`. Blank lines always separate
 * sentences; a single line break inside a paragraph does not (hard-wrapped text would otherwise be cut at
 * every line). Whitespace-only text gives no sentences.
 * @throws RangeError when `language` is not a valid BCP 47 tag.
 */
export function splitSentences(text: string, language = "en"): string[] {
  const segmenter = new Intl.Segmenter(language, { granularity: "sentence" });
  const sentences: string[] = [];
  for (const paragraph of text.split(/\r?\n[ \t\f\v]*(?:\r?\n\s*)+/)) {
    // Same length as the paragraph, so segment indices slice the original characters back out.
    const flattened = paragraph.replace(/[\r\n\u2028\u2029\u0085]/g, " ");
    for (const { index, segment } of segmenter.segment(flattened)) {
      const sentence = paragraph.slice(index, index + segment.length).trim();
      if (sentence !== "") sentences.push(sentence);
    }
  }
  return sentences;
}

/**
 * Merges sentences of at most {@link TINY_SENTENCE_MAX_CHARS} characters ("Hi.", "Mr.") into the following
 * sentence, or into the previous one when they come last, so no text is lost and no clip is a lone syllable.
 * For English, sentences ending in a title abbreviation ("Mrs.", "Dr.") are joined to the next one too.
 */
export function mergeShortSentences(sentences: readonly string[], language = "en"): string[] {
  const english = language.toLowerCase().startsWith("en");
  const out: string[] = [];
  let carry = "";
  for (const sentence of sentences) {
    const joined = carry === "" ? sentence : `${carry} ${sentence}`;
    const leadsOn = english && LEADING_ABBREVIATIONS.test(sentence);
    if (sentence.length <= TINY_SENTENCE_MAX_CHARS || leadsOn) {
      carry = joined;
    } else {
      out.push(joined);
      carry = "";
    }
  }
  if (carry !== "") {
    if (out.length > 0) out[out.length - 1] = `${out[out.length - 1]} ${carry}`;
    else out.push(carry);
  }
  return out;
}
