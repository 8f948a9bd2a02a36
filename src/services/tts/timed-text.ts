/**
 * Where each segment sits in the finished audio, and what that gives: SRT/WebVTT captions and a book with
 * chapter marks. Timings come from the segments' own durations (and, inside a segment, from the words speech
 * recognition heard); when post-processing changed the length (silence trimming, auto-editor) they are scaled
 * to the finished audio, so captions stay in step on average.
 */
import { writeChapteredAudio, type ChapterMark } from "../../audio/chapter-marks.js";
import { durationSeconds } from "../../audio/pcm.js";
import type { MonoPcm } from "../../domain/audio.js";
import { captionCues, renderCaptions, type CaptionFormat, type CaptionSpan } from "../../text/captions.js";
import { writeFile } from "node:fs/promises";
import type { DerivedFile } from "../output-writer.js";
import type { ChunkOutcome } from "./segment-synthesizer.js";

/** The chapters of a text with chapter markers: each title and the segment it starts at. */
export interface ChapterBook {
  format: "m4b" | "mp3";
  chapters: ReadonlyArray<{ title: string; firstSegment: number }>;
}

/**
 * Each segment's text and time in audio of `finalSeconds` made from `segments` joined in order, with where its
 * words start when verification heard them (the kept try's word timings).
 */
export function segmentSpans(
  texts: readonly string[],
  segments: readonly MonoPcm[],
  outcomes: readonly ChunkOutcome[],
  finalSeconds: number,
): CaptionSpan[] {
  const rawSeconds = segments.reduce((sum, pcm) => sum + durationSeconds(pcm), 0);
  const scale = rawSeconds > 0 ? finalSeconds / rawSeconds : 1;
  let start = 0;
  return texts.map((text, index) => {
    const end = start + durationSeconds(segments[index]!) * scale;
    const outcome = outcomes[index];
    const heard = outcome?.tries[outcome.chosen]?.wordStarts;
    const wordStarts = heard?.map((seconds) => start + seconds * scale);
    const span = { text, startSeconds: start, endSeconds: end, wordStarts };
    start = end;
    return span;
  });
}

export function captionFile(format: CaptionFormat, spans: readonly CaptionSpan[]): DerivedFile {
  return { format, make: (_master, outPath) => writeFile(outPath, renderCaptions(format, captionCues(spans))) };
}

/** Each chapter runs from its first segment's start to the next chapter's (the last one to the end). */
export function chapterMarks(book: ChapterBook, spans: readonly CaptionSpan[]): ChapterMark[] {
  const end = spans.at(-1)?.endSeconds ?? 0;
  return book.chapters.map((chapter, i) => {
    const next = book.chapters[i + 1];
    return {
      title: chapter.title,
      startSeconds: spans[chapter.firstSegment]?.startSeconds ?? end,
      endSeconds: next ? (spans[next.firstSegment]?.startSeconds ?? end) : end,
    };
  });
}

export function chapterBookFile(format: ChapterBook["format"], marks: readonly ChapterMark[]): DerivedFile {
  return {
    format,
    // `<stem>_book.mp3` beside a plain `<stem>.mp3` export.
    variant: "book",
    make: (masterPath, outPath, signal) =>
      writeChapteredAudio({ masterPath, marks, outPath, format, ...(signal ? { signal } : {}) }),
  };
}
