/** Long-form jobs: their kinds, states and records as the store keeps them and the API shows them. */
import type { ChunkOutcome } from "../tts/segment-synthesizer.js";

export const JOB_TYPES = ["tts", "vc", "concat"] as const;
export type JobType = (typeof JOB_TYPES)[number];

export const JOB_STATES = ["queued", "running", "paused", "succeeded", "failed", "cancelled"] as const;
export type JobState = (typeof JOB_STATES)[number];

/** States a job never leaves (except succeeded, which a re-render re-opens). */
export const FINISHED_STATES: ReadonlySet<JobState> = new Set(["succeeded", "failed", "cancelled"]);

/** A book with chapter marks, written beside the audio of a TTS job whose text has chapter markers. */
export const BOOK_FORMATS = ["m4b", "mp3"] as const;
export type BookFormat = (typeof BOOK_FORMATS)[number];

export interface JobError {
  code: string;
  message: string;
}

/** One published version of a job's result: a re-render adds one and keeps the others. */
export interface JobResultVersion {
  version: number;
  created_at: string;
  duration_seconds: number | null;
  /** Format key → path below outputs/. */
  files: Record<string, string>;
  warnings: string[];
}

export interface JobRecord {
  id: string;
  type: JobType;
  state: JobState;
  /** The request body as submitted. */
  request: Record<string, unknown>;
  project: string | null;
  keyId: string | null;
  seed: number | null;
  chapters: BookFormat | null;
  /** Each chapter also published as files of its own. */
  splitChapters: boolean;
  webhookUrl: string | null;
  webhookSecret: string | null;
  plan: unknown;
  segmentsTotal: number;
  segmentsDone: number;
  audioSeconds: number;
  renderMs: number;
  synthesis: unknown;
  warnings: string[];
  versions: JobResultVersion[];
  error: JobError | null;
  createdMs: number;
  updatedMs: number;
  finishedMs: number | null;
}

export interface SegmentRecord {
  index: number;
  /** As spoken. */
  text: string;
  /** In the text's own case, as captions show it. */
  displayText: string;
  chapter: number | null;
  seed: number;
  /** Sampling parameters set by a re-render for this segment only. */
  overrides: Record<string, number>;
  state: "pending" | "done";
  durationSeconds: number | null;
  /** Every try of a TTS segment and the one kept; null while pending, and for VC and concat jobs. */
  outcome: ChunkOutcome | null;
  renders: number;
}

/** A job's event as Server-Sent Events deliver it: `id` orders them and resumes a stream. */
export interface JobEvent {
  id: number;
  type: "state" | "progress" | "segment" | "warning" | "done" | "failed";
  data: Record<string, unknown>;
}
