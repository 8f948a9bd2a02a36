/**
 * A TTS job: the synchronous pipeline run a few segments at a time, each finished segment stored before the
 * next call. The first run plans the segments (per chapter when the job asked for a chapter book) with the
 * seed fixed at submission; every later run, after a pause, a crash or a re-render, speaks only the pending
 * segments. Segment n's seeds depend only on its seed base and n, so the assembled audio is the same bytes
 * however often the work was interrupted, and the same as the synchronous endpoint's for the same request.
 */
import type { MonoPcm } from "../../domain/audio.js";
import type { OutputStore } from "../../storage/output-store.js";
import { fileKey } from "../../storage/output-store.js";
import { splitChapters } from "../../text/chapters.js";
import type { SoundWordReplacement } from "../../text/sound-words.js";
import type { AudioSources } from "../audio-sources.js";
import type { ChunkOutcome, SegmentSynthesisResult } from "../tts/segment-synthesizer.js";
import { prepareText } from "../tts/text-preparation.js";
import type { TtsRequest } from "../tts/tts-request.js";
import type { TtsPlan, TtsService } from "../tts/tts-service.js";
import type { VerificationOutcome } from "../tts/verified-synthesis.js";
import type { JobContext, JobExecutor } from "./job-runner.js";
import type { JobStore, PlannedSegment } from "./job-store.js";
import type { JobRecord, JobResultVersion, SegmentRecord } from "./job-types.js";
import type { JobWorkspace } from "./job-workspace.js";

/** What the first run of a job found, stored with it. */
interface TtsJobPlan {
  soundWords: SoundWordReplacement[];
  /** Chapter titles and the segment each starts at; null when the job has no chapter book. */
  chapters: Array<{ title: string; firstSegment: number }> | null;
}

/** What the engine reported over every call of the job, merged. */
type SynthesisFacts = Omit<SegmentSynthesisResult, "segments" | "outcomes"> & { verification: VerificationOutcome };

export interface TtsJobOptions {
  tts: TtsService;
  sources: AudioSources;
  outputs: OutputStore;
  store: JobStore;
  workspace: JobWorkspace;
  /** The TTS endpoint's own validation, so a job accepts exactly what the synchronous request accepts. */
  parse(body: Record<string, unknown>): TtsRequest;
  /** The most segments one engine call speaks: more is faster, fewer loses less to a crash. */
  segmentsPerCall: number;
}

export class TtsJobExecutor implements JobExecutor {
  constructor(private readonly options: TtsJobOptions) {}

  async run(job: JobRecord, context: JobContext): Promise<JobResultVersion> {
    const started = performance.now() - job.renderMs;
    const request = this.options.parse(job.request);
    const folder = await this.options.outputs.folder(request.project);
    const sources = this.options.sources.forRequest(context.signal);
    try {
      const plan = await this.options.tts.prepare(request, sources);
      const jobPlan = (job.plan as TtsJobPlan | null) ?? this.planSegments(job, plan);
      await this.renderPending(job.id, plan, context);
      return await this.assemble(job.id, { plan, jobPlan, folder, started, context });
    } finally {
      await sources.close();
    }
  }

  /** Cuts the text into segments (per chapter for a chapter book) and stores them. */
  private planSegments(job: JobRecord, plan: TtsPlan): TtsJobPlan {
    const chapters = job.chapters ? splitChapters(plan.request.text) : [{ title: "", text: plan.request.text }];
    const segments: PlannedSegment[] = [];
    const soundWords: SoundWordReplacement[] = [];
    const starts: Array<{ title: string; firstSegment: number }> = [];
    chapters.forEach((chapter, index) => {
      const prepared = prepareText({ ...plan.request, text: chapter.text }, plan.segmentLimit);
      starts.push({ title: chapter.title, firstSegment: segments.length });
      soundWords.push(...prepared.soundWords);
      const chapterIndex = job.chapters ? index : null;
      for (const text of prepared.texts) segments.push({ text, chapter: chapterIndex, seed: job.seed! });
    });
    const jobPlan = { soundWords, chapters: job.chapters ? starts : null };
    this.options.store.savePlan(job.id, jobPlan, segments);
    return jobPlan;
  }

  private async renderPending(jobId: string, plan: TtsPlan, context: JobContext): Promise<void> {
    const pending = this.options.store.segments(jobId).filter((segment) => segment.state === "pending");
    for (const batch of batches(pending, this.options.segmentsPerCall)) {
      const started = performance.now();
      const first = batch[0]!;
      const spoken = await this.options.tts.speakSegments(
        withOverrides(plan, first.overrides),
        { texts: batch.map((segment) => segment.text), seedUsed: first.seed, firstIndex: first.index },
        this.options.tts.callOptions({ signal: context.signal, requestId: jobId, priority: "batch" }),
      );
      const { segments, outcomes } = spoken.synthesis;
      await Promise.all(batch.map((s, i) => this.options.workspace.saveSegment(jobId, s.index, segments[i]!)));
      const finished = batch.map((s, i) => ({
        index: s.index,
        durationSeconds: seconds(segments[i]!),
        outcome: outcomes[i],
      }));
      const facts = mergeFacts(this.options.store.get(jobId)?.synthesis as SynthesisFacts | null, spoken);
      this.options.store.finishSegments(jobId, finished, performance.now() - started, facts);
      this.report(jobId, finished, [...spoken.synthesis.warnings, ...spoken.verification.warnings], context);
    }
  }

  private report(
    jobId: string,
    finished: Array<{ index: number; durationSeconds: number }>,
    warnings: string[],
    context: JobContext,
  ): void {
    for (const segment of finished) {
      context.emit("segment", { index: segment.index, duration_seconds: segment.durationSeconds });
    }
    for (const warning of this.options.store.addWarnings(jobId, warnings)) context.emit("warning", { warning });
    const job = this.options.store.get(jobId)!;
    context.emit("progress", progressOf(job));
  }

  private async assemble(
    jobId: string,
    { plan, jobPlan, folder, started, context }: AssembleContext,
  ): Promise<JobResultVersion> {
    const job = this.options.store.get(jobId)!;
    const segments = this.options.store.segments(jobId);
    const audio = await Promise.all(
      segments.map((segment) => this.options.workspace.loadSegment(jobId, segment.index)),
    );
    const { verification, ...facts } = job.synthesis as SynthesisFacts;
    const texts = segments.map((segment) => segment.text);
    const synthesis = { ...facts, segments: audio, outcomes: segments.map((s) => s.outcome as ChunkOutcome) };
    const version = job.versions.length + 1;
    const result = await this.options.tts.finish(
      plan,
      { text: { soundWords: jobPlan.soundWords, texts }, seedUsed: job.seed!, synthesis, verification },
      {
        folder,
        started,
        signal: context.signal,
        log: context.log,
        requestId: jobId,
        ...(jobPlan.chapters && job.chapters ? { chapters: { format: job.chapters, chapters: jobPlan.chapters } } : {}),
        extraMetadata: { job: { id: jobId, version, segments: segments.map(segmentMetadata) } },
      },
    );
    return {
      version,
      created_at: new Date().toISOString(),
      duration_seconds: result.durationSeconds,
      files: Object.fromEntries(result.files.map((file) => [fileKey(file), file.relativePath])),
      warnings: result.warnings,
    };
  }
}

interface AssembleContext {
  plan: TtsPlan;
  jobPlan: TtsJobPlan;
  folder: Awaited<ReturnType<OutputStore["folder"]>>;
  started: number;
  context: JobContext;
}

/** Runs of consecutive pending segments that share seed base and parameters, at most `size` long. */
function batches(pending: readonly SegmentRecord[], size: number): SegmentRecord[][] {
  const runs: SegmentRecord[][] = [];
  for (const segment of pending) {
    const run = runs.at(-1);
    const last = run?.at(-1);
    const joins =
      run !== undefined &&
      last !== undefined &&
      run.length < size &&
      last.index + 1 === segment.index &&
      last.seed === segment.seed &&
      JSON.stringify(last.overrides) === JSON.stringify(segment.overrides);
    if (joins) run.push(segment);
    else runs.push([segment]);
  }
  return runs;
}

/** The plan with a re-render's parameters in place of the request's. */
function withOverrides(plan: TtsPlan, overrides: Record<string, number>): TtsPlan {
  if (Object.keys(overrides).length === 0) return plan;
  return { ...plan, request: { ...plan.request, options: { ...plan.request.options, ...overrides } } };
}

function mergeFacts(
  previous: SynthesisFacts | null,
  spoken: { synthesis: SegmentSynthesisResult; verification: VerificationOutcome },
): SynthesisFacts {
  const { segments: _segments, outcomes: _outcomes, ...now } = spoken.synthesis;
  if (!previous) return { ...now, verification: spoken.verification };
  const union = (a: string[], b: string[]) => [...new Set([...a, ...b])];
  return {
    engine: now.engine,
    watermarked: previous.watermarked || now.watermarked,
    stretchLibrary: previous.stretchLibrary ?? now.stretchLibrary,
    voiceMethod: previous.voiceMethod || now.voiceMethod,
    stretchMs: previous.stretchMs + now.stretchMs,
    ignoredParameters: union(previous.ignoredParameters, now.ignoredParameters),
    warnings: union(previous.warnings, now.warnings),
    verification: {
      plan: previous.verification.plan,
      modelUsed: previous.verification.modelUsed ?? spoken.verification.modelUsed,
      warnings: union(previous.verification.warnings, spoken.verification.warnings).sort(),
    },
  };
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

function segmentMetadata(segment: SegmentRecord): Record<string, unknown> {
  return { index: segment.index, text: segment.text, seed: segment.seed, duration_seconds: segment.durationSeconds };
}

function seconds(pcm: MonoPcm): number {
  return pcm.samples.length / pcm.sampleRate;
}

function round3(value: number): number {
  return Math.round(value * 1000) / 1000;
}
