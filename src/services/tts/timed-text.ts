/**
 * Where each segment sits in the finished audio, and what that gives: SRT/WebVTT captions, a book with chapter
 * marks, and each chapter as files of its own. Timings come from the segments' own durations (and, inside a segment, from the words speech
 * recognition heard); when post-processing changed the length (silence trimming, auto-editor) they are scaled
 * to the finished audio, so captions stay in step on average.
 */
import { writeChapteredAudio, type ChapterMark } from "../../audio/chapter-marks.js";
import { encodeFile, EXPORT_EXTENSIONS } from "../../audio/ffmpeg.js";
import type { ExportFormat } from "../../domain/tts-fields.js";
import { durationSeconds } from "../../audio/pcm.js";
import type { MonoPcm } from "../../domain/audio.js";
import { captionCues, renderCaptions, type CaptionFormat, type CaptionSpan } from "../../text/captions.js";
import { writeFile } from "node:fs/promises";
import type { DerivedFile } from "../output-writer.js";
import type { ChunkOutcome } from "./segment-synthesizer.js";

/** What to make of a text's chapters (a job's text with chapter markers). */
export interface ChapterPlan {
  /** Each chapter's title and the segment it starts at. */
  chapters: ReadonlyArray<{ title: string; firstSegment: number }>;
  /** A book with chapter marks in this format; none when undefined. */
  book: "m4b" | "mp3" | undefined;
  /** Each chapter also published on its own, in every export format. */
  splitFiles: boolean;
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
export function chapterMarks(plan: ChapterPlan, spans: readonly CaptionSpan[]): ChapterMark[] {
  const end = spans.at(-1)?.endSeconds ?? 0;
  return plan.chapters.map((chapter, i) => {
    const next = plan.chapters[i + 1];
    return {
      title: chapter.title,
      startSeconds: spans[chapter.firstSegment]?.startSeconds ?? end,
      endSeconds: next ? (spans[next.firstSegment]?.startSeconds ?? end) : end,
    };
  });
}

/** The files a chapter plan adds beside the audio: the book, and each chapter in every export format. */
export function chapterFiles(
  plan: ChapterPlan,
  marks: readonly ChapterMark[],
  formats: readonly ExportFormat[],
): DerivedFile[] {
  const book = plan.book === undefined ? [] : [chapterBookFile(plan.book, marks)];
  if (!plan.splitFiles) return book;
  return [...book, ...marks.flatMap((mark, i) => formats.map((format) => chapterFile(i, mark, format)))];
}

function chapterBookFile(format: "m4b" | "mp3", marks: readonly ChapterMark[]): DerivedFile {
  return {
    format,
    // `<stem>_book.mp3` beside a plain `<stem>.mp3` export.
    variant: "book",
    make: (masterPath, outPath, { signal }) =>
      writeChapteredAudio({ masterPath, marks, outPath, format, ...(signal ? { signal } : {}) }),
  };
}

/** Chapter n (from 0) as `<stem>_chapter<n+1, two digits>.<ext>`, cut from the master and encoded like the exports. */
function chapterFile(index: number, mark: ChapterMark, format: ExportFormat): DerivedFile {
  return {
    format: EXPORT_EXTENSIONS[format],
    variant: `chapter${String(index + 1).padStart(2, "0")}`,
    make: (masterPath, outPath, encode) =>
      encodeFile({
        inputPath: masterPath,
        inputSampleRate: encode.sampleRate,
        inputRange: { startSeconds: mark.startSeconds, endSeconds: mark.endSeconds },
        outputPath: outPath,
        format,
        settings: encode.settings,
        ...(encode.wavSampleFormat ? { wavSampleFormat: encode.wavSampleFormat } : {}),
        ...(encode.signal ? { signal: encode.signal } : {}),
      }),
  };
}
