/**
 * Text that arrives in pieces (an LLM's token deltas) turned into speakable pieces as early as the sentence
 * rules allow, with the same splitter as whole texts (sentences.ts, split-long.ts). The last sentence of the
 * buffer is held back until more text follows it: "I have 3." may still become "I have 3.5 apples", and a
 * sentence ending in "Mr." leads into the next one. A run with no boundary that grows past the segment limit
 * is cut at a clause mark or a word boundary, keeping the unfinished last word. No text is dropped: joining
 * every piece handed out (and the flushed rest) with spaces restores every non-whitespace character.
 */
import { mergeShortSentences, splitSentences } from "./sentences.js";
import { splitLongText } from "./split-long.js";

/** Stands for the last, unfinished sentence when the complete ones are grouped: long, ending in no title. */
const HELD_SENTENCE = "(unfinished sentence)";

export interface SentenceBufferOptions {
  /** Longest piece handed out, in UTF-16 units (the engine's segment limit). */
  maxChars: number;
  /** BCP 47 tag for the sentence rules (default "en"). */
  language?: string;
}

export class SentenceBuffer {
  private text = "";

  constructor(private readonly options: SentenceBufferOptions) {
    if (!Number.isInteger(options.maxChars) || options.maxChars < 1) {
      throw new RangeError(`maxChars must be a positive integer, got ${options.maxChars}`);
    }
  }

  /** Characters waiting in the buffer (whitespace included). */
  get length(): number {
    return this.text.length;
  }

  /** Adds `delta` and returns the pieces that are now complete, in order (often none). */
  append(delta: string): string[] {
    this.text += delta;
    const sentences = splitSentences(this.text, this.language);
    if (sentences.length === 0) return [];
    const { complete, rest } = this.holdLastSentence(sentences);
    const { cut, kept } = this.cutLongRun(rest);
    this.text = kept;
    return [...complete.flatMap((group) => this.fit(group)), ...cut];
  }

  /** Everything buffered, as pieces; the buffer is empty afterwards. */
  flush(): string[] {
    const groups = mergeShortSentences(splitSentences(this.text, this.language), this.language);
    const pieces = groups.flatMap((group) => this.fit(group));
    this.text = "";
    return pieces;
  }

  clear(): void {
    this.text = "";
  }

  private get language(): string {
    return this.options.language ?? "en";
  }

  private fit(text: string): string[] {
    return splitLongText(text, this.options.maxChars);
  }

  /**
   * The groups before the last sentence, and the buffer text from the start of the group that holds it.
   * The last sentence stands in as a long one: tiny sentences and titles before it lead into it whatever it
   * turns out to be, while its own merging waits for the text after it. mergeShortSentences joins a group's
   * sentences with one space, which is how the sentences of the complete groups are counted.
   */
  private holdLastSentence(sentences: readonly string[]): { complete: string[]; rest: string } {
    const groups = mergeShortSentences([...sentences.slice(0, -1), HELD_SENTENCE], this.language);
    const complete = groups.slice(0, -1);
    let index = 0;
    for (const group of complete) {
      let joined = sentences[index]!.length;
      index += 1;
      while (joined < group.length) {
        joined += 1 + sentences[index]!.length;
        index += 1;
      }
    }
    return { complete, rest: this.text.slice(sentenceOffset(this.text, sentences, index)) };
  }

  /** A run longer than the limit: every piece but the last (which holds the unfinished word) is handed out. */
  private cutLongRun(rest: string): { cut: string[]; kept: string } {
    if (rest.trim().length <= this.options.maxChars) return { cut: [], kept: rest };
    const pieces = this.fit(rest);
    const last = pieces[pieces.length - 1]!;
    return { cut: pieces.slice(0, -1), kept: rest.slice(rest.lastIndexOf(last)) };
  }
}

/** Where sentence `index` starts in `text`; each sentence is a trimmed slice of the text, in order. */
function sentenceOffset(text: string, sentences: readonly string[], index: number): number {
  let cursor = 0;
  for (let i = 0; i < index; i += 1) cursor = text.indexOf(sentences[i]!, cursor) + sentences[i]!.length;
  return text.indexOf(sentences[index]!, cursor);
}
