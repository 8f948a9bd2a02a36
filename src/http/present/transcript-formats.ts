/**
 * A transcript in OpenAI's response formats: `json` ({text}), `text`, `srt`, `vtt` and `verbose_json`
 * (language, duration, segments and, when asked, words). Text formats are served as text/plain so the SDKs
 * return them as strings.
 */
import type { Transcript, TranscriptionTask } from "../../domain/inference.js";

export const TRANSCRIPT_FORMATS = ["json", "text", "srt", "verbose_json", "vtt"] as const;
export type TranscriptFormat = (typeof TRANSCRIPT_FORMATS)[number];

export interface TranscriptView {
  task: TranscriptionTask;
  format: TranscriptFormat;
  /** verbose_json: include `segments` (OpenAI's default granularity). */
  segments: boolean;
  /** verbose_json: include `words`. */
  words: boolean;
}

export interface RenderedTranscript {
  contentType: string;
  body: string | Record<string, unknown>;
}

const languageNames = new Intl.DisplayNames(["en"], { type: "language", fallback: "code" });

/** OpenAI names the language in words in verbose_json ("english"), not by code. */
export function languageName(code: string): string {
  if (code === "") return "";
  try {
    return (languageNames.of(code) ?? code).toLowerCase();
  } catch {
    return code;
  }
}

function usage(transcript: Transcript) {
  return { type: "duration", seconds: Math.ceil(transcript.info.durationSeconds) };
}

export function renderTranscript(transcript: Transcript, view: TranscriptView): RenderedTranscript {
  switch (view.format) {
    case "json":
      return { contentType: "application/json", body: { text: transcript.text, usage: usage(transcript) } };
    case "text":
      return { contentType: "text/plain; charset=utf-8", body: `${transcript.text}\n` };
    case "srt":
      return { contentType: "text/plain; charset=utf-8", body: subtitles(transcript, "srt") };
    case "vtt":
      return { contentType: "text/vtt; charset=utf-8", body: subtitles(transcript, "vtt") };
    case "verbose_json":
      return { contentType: "application/json", body: verbose(transcript, view) };
  }
}

function verbose(transcript: Transcript, view: TranscriptView): Record<string, unknown> {
  const body: Record<string, unknown> = {
    task: view.task,
    language: languageName(transcript.info.language),
    duration: round3(transcript.info.durationSeconds),
    text: transcript.text,
  };
  if (view.segments) {
    body.segments = transcript.segments.map((s) => ({
      id: s.id,
      seek: s.seek,
      start: round3(s.start),
      end: round3(s.end),
      text: s.text,
      tokens: s.tokens,
      temperature: s.temperature,
      avg_logprob: s.avgLogprob,
      compression_ratio: s.compressionRatio,
      no_speech_prob: s.noSpeechProb,
    }));
  }
  if (view.words) {
    body.words = transcript.segments.flatMap((s) =>
      s.words.map((w) => ({ word: w.word.trim(), start: round3(w.start), end: round3(w.end) })),
    );
  }
  body.usage = usage(transcript);
  return body;
}

/** SubRip or WebVTT cues, one per segment; the two differ in the header, numbering and decimal mark. */
function subtitles(transcript: Transcript, kind: "srt" | "vtt"): string {
  const cues = transcript.segments.map((segment, index) => {
    const timing = `${timestamp(segment.start, kind)} --> ${timestamp(segment.end, kind)}`;
    const lines = [timing, segment.text.trim()];
    return (kind === "srt" ? [String(index + 1), ...lines] : lines).join("\n");
  });
  const body = cues.map((cue) => `${cue}\n\n`).join("");
  return kind === "vtt" ? `WEBVTT\n\n${body}` : body;
}

/** hh:mm:ss,mmm (SubRip) or hh:mm:ss.mmm (WebVTT). */
export function timestamp(seconds: number, kind: "srt" | "vtt"): string {
  const totalMs = Math.max(0, Math.round(seconds * 1000));
  const hours = Math.floor(totalMs / 3_600_000);
  const minutes = Math.floor((totalMs % 3_600_000) / 60_000);
  const secs = Math.floor((totalMs % 60_000) / 1000);
  const ms = totalMs % 1000;
  const pad = (value: number, width = 2) => String(value).padStart(width, "0");
  return `${pad(hours)}:${pad(minutes)}:${pad(secs)}${kind === "srt" ? "," : "."}${pad(ms, 3)}`;
}

function round3(value: number): number {
  return Math.round(value * 1000) / 1000;
}
