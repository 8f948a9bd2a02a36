/** A job as clients see it, in the API's JSON and in webhook calls. */
import type { JobRecord, SegmentRecord } from "./job-types.js";

export function jobView(job: JobRecord): Record<string, unknown> {
  const latest = job.versions.at(-1);
  const base = `/api/v1/jobs/${job.id}`;
  return {
    id: job.id,
    object: "job",
    type: job.type,
    state: job.state,
    project: job.project,
    key_id: job.keyId,
    created_at: iso(job.createdMs),
    updated_at: iso(job.updatedMs),
    finished_at: job.finishedMs === null ? null : iso(job.finishedMs),
    ...progressOf(job),
    seed: job.seed,
    chapters: job.chapters,
    split_chapters: job.splitChapters,
    webhook_url: job.webhookUrl,
    warnings: [...job.warnings, ...(latest?.warnings ?? []).filter((w) => !job.warnings.includes(w))],
    error: job.error,
    result: latest ? { version: latest.version, files: latest.files, duration_seconds: latest.duration_seconds } : null,
    versions: job.versions,
    links: {
      self: base,
      events: `${base}/events`,
      ...(job.type === "tts" ? { segments: `${base}/segments` } : {}),
      cancel: `${base}/cancel`,
      pause: `${base}/pause`,
      resume: `${base}/resume`,
    },
  };
}

export function segmentView(segment: SegmentRecord): Record<string, unknown> {
  const { outcome } = segment;
  const chosen = outcome?.tries[outcome.chosen];
  return {
    index: segment.index,
    text: segment.text,
    display_text: segment.displayText,
    chapter: segment.chapter,
    state: segment.state,
    seed_base: segment.seed,
    seed: chosen?.seed ?? null,
    parameters: segment.overrides,
    duration_seconds: segment.durationSeconds,
    transcript: chosen?.transcript ?? null,
    word_error_rate: chosen?.wer ?? null,
    passed: outcome?.passed ?? null,
    tries: outcome?.tries.length ?? 0,
    renders: segment.renders,
  };
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

/** Counts, audio done and an ETA from the rate measured so far (null before the first segment). */
export function progressOf(job: JobRecord): Record<string, unknown> {
  const left = job.segmentsTotal - job.segmentsDone;
  const perSegmentMs = job.segmentsDone > 0 ? job.renderMs / job.segmentsDone : undefined;
  return {
    segments_done: job.segmentsDone,
    segments_total: job.segmentsTotal,
    audio_seconds_done: round3(job.audioSeconds),
    eta_seconds: perSegmentMs === undefined ? null : round3((left * perSegmentMs) / 1000),
  };
}

function round3(value: number): number {
  return Math.round(value * 1000) / 1000;
}
