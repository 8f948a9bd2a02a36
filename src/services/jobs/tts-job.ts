/**
 * A TTS job: the synchronous pipeline run in calls of about `callSeconds` each, every segment stored the moment
 * its audio is final. The first run plans the segments (per chapter when the job asked for a chapter book) with the
 * seed fixed at submission; every later run, after a pause, a crash or a re-render, speaks only the pending
 * segments. Segment n's seeds depend only on its seed base and n, so the assembled audio is the same bytes
 * however often the work was interrupted, and the same as the synchronous endpoint's for the same request.
 */
import { durationSeconds } from "../../audio/pcm.js";
import type { MonoPcm } from "../../domain/audio.js";
import type { OutputFolder, OutputStore } from "../../storage/output-store.js";
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
import { nextVersion } from "./job-version.js";
import { progressOf } from "./job-view.js";

/** What the first run of a job found, stored with it. */
interface TtsJobPlan {
  soundWords: SoundWordReplacement[];
  /** Chapter titles and the segment each starts at; null when the job asked for neither a book nor chapter files. */
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
  /** About how long one engine call may run (config jobs.call_seconds); its segment count follows the rate. */
  callSeconds: number;
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
      await this.reopenMissing(job.id);
      await this.renderPending(job.id, plan, context);
      return await this.assemble(job.id, { plan, jobPlan, folder, started, context });
    } finally {
      await sources.close();
    }
  }

  /** Cuts the text into segments (per chapter for a chapter book) and stores them. */
  private planSegments(job: JobRecord, plan: TtsPlan): TtsJobPlan {
    const byChapter = job.chapters !== null || job.splitChapters;
    const chapters = byChapter ? splitChapters(plan.request.text) : [{ title: "", text: plan.request.text }];
    const segments: PlannedSegment[] = [];
    const soundWords: SoundWordReplacement[] = [];
    const starts: Array<{ title: string; firstSegment: number }> = [];
    chapters.forEach((chapter, index) => {
      const prepared = prepareText({ ...plan.request, text: chapter.text }, plan.segmentLimit);
      starts.push({ title: chapter.title, firstSegment: segments.length });
      soundWords.push(...prepared.soundWords);
      const chapterIndex = byChapter ? index : null;
      prepared.texts.forEach((text, i) => {
        segments.push({ text, displayText: prepared.displayTexts[i]!, chapter: chapterIndex, seed: job.seed! });
      });
    });
    const jobPlan = { soundWords, chapters: byChapter ? starts : null };
    this.options.store.savePlan(job.id, jobPlan, segments);
    return jobPlan;
  }

  /**
   * Speaks the pending segments, call after call. Every call's facts (engine, warnings, watermark...) come with
   * its end, so if the segments of an interrupted call were all stored but no call ever finished, the last one
   * is spoken once more (to the same audio) to learn them.
   */
  private async renderPending(jobId: string, plan: TtsPlan, context: JobContext): Promise<void> {
    for (;;) {
      const segments = this.options.store.segments(jobId);
      const pending = segments.filter((segment) => segment.state === "pending");
      if (pending.length === 0 && this.options.store.get(jobId)!.synthesis !== null) return;
      if (pending.length === 0) {
        this.options.store.resetSegment(jobId, segments.at(-1)!.index);
        continue;
      }
      await this.renderCall(jobId, plan, nextCall(pending, this.segmentsPerCall(jobId)), context);
    }
  }

  /**
   * Puts back to pending the finished segments whose audio is gone (removed after `jobs.keep_segments_hours`):
   * spoken again with their own seeds, they come out the same.
   */
  private async reopenMissing(jobId: string): Promise<void> {
    for (const segment of this.options.store.segments(jobId)) {
      if (segment.state !== "done" || (await this.options.workspace.hasSegment(jobId, segment.index))) continue;
      this.options.store.resetSegment(jobId, segment.index);
    }
  }

  /** About `callSeconds` of work at the rate measured so far; a few segments while there is no rate yet. */
  private segmentsPerCall(jobId: string): number {
    const job = this.options.store.get(jobId)!;
    if (job.segmentsDone === 0 || job.renderMs <= 0) return FIRST_CALL_SEGMENTS;
    const fit = Math.floor((this.options.callSeconds * 1000 * job.segmentsDone) / job.renderMs);
    return Math.min(MAX_CALL_SEGMENTS, Math.max(1, fit));
  }

  /** One engine call; each segment is stored, and reported, the moment its audio is final. */
  private async renderCall(jobId: string, plan: TtsPlan, call: SegmentRecord[], context: JobContext): Promise<void> {
    let mark = performance.now();
    let storing = Promise.resolve();
    const onSegmentDone = (index: number, audio: MonoPcm, outcome: ChunkOutcome) => {
      const renderMs = performance.now() - mark;
      mark = performance.now();
      storing = storing.then(() => this.storeSegment(jobId, { index, audio, outcome, renderMs }, context));
    };
    const first = call[0]!;
    const texts = call.map((segment) => segment.text);
    try {
      const spoken = await this.options.tts.speakSegments(
        withOverrides(plan, first.overrides),
        { texts, seedUsed: first.seed, firstIndex: first.index, onSegmentDone },
        this.options.tts.callOptions({ signal: context.signal, requestId: jobId, priority: "batch" }),
      );
      await storing;
      const facts = mergeFacts(this.options.store.get(jobId)!.synthesis as SynthesisFacts | null, spoken);
      this.options.store.setSynthesis(jobId, facts);
      const warnings = [...spoken.synthesis.warnings, ...spoken.verification.warnings];
      for (const warning of this.options.store.addWarnings(jobId, warnings)) context.emit("warning", { warning });
    } finally {
      // Nothing may still be writing once the call has ended, whichever way (a stop, a crash of the engine).
      await storing.catch(() => undefined);
    }
  }

  private async storeSegment(jobId: string, done: DoneSegment, context: JobContext): Promise<void> {
    await this.options.workspace.saveSegment(jobId, done.index, done.audio);
    const seconds = durationSeconds(done.audio);
    const finished = { index: done.index, durationSeconds: seconds, outcome: done.outcome };
    this.options.store.finishSegments(jobId, [finished], done.renderMs);
    context.emit("segment", { index: done.index, duration_seconds: seconds });
    context.emit("progress", progressOf(this.options.store.get(jobId)!));
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
    const displayTexts = segments.map((segment) => segment.displayText);
    const synthesis = { ...facts, segments: audio, outcomes: segments.map((s) => s.outcome!) };
    const version = job.versions.length + 1;
    const result = await this.options.tts.finish(
      plan,
      { text: { soundWords: jobPlan.soundWords, texts, displayTexts }, seedUsed: job.seed!, synthesis, verification },
      {
        folder,
        started,
        signal: context.signal,
        log: context.log,
        requestId: jobId,
        ...(jobPlan.chapters
          ? { chapters: { chapters: jobPlan.chapters, book: job.chapters ?? undefined, splitFiles: job.splitChapters } }
          : {}),
        extraMetadata: { job: { id: jobId, version, segments: segments.map(segmentMetadata) } },
      },
    );
    return nextVersion(job, result);
  }
}

interface AssembleContext {
  plan: TtsPlan;
  jobPlan: TtsJobPlan;
  folder: OutputFolder;
  started: number;
  context: JobContext;
}

/** Segments one call may speak while there is no measured rate yet. */
const FIRST_CALL_SEGMENTS = 4;
/** The most segments one call speaks, however fast the engine. */
const MAX_CALL_SEGMENTS = 256;

/** A segment whose audio is final, with the time it took since the one before it. */
interface DoneSegment {
  index: number;
  audio: MonoPcm;
  outcome: ChunkOutcome;
  renderMs: number;
}

/** The first pending segment and those right after it that share its seed base and parameters, at most `size`. */
function nextCall(pending: readonly SegmentRecord[], size: number): SegmentRecord[] {
  const call = [pending[0]!];
  for (const segment of pending.slice(1, size)) {
    const last = call.at(-1)!;
    const joins =
      last.index + 1 === segment.index &&
      last.seed === segment.seed &&
      JSON.stringify(last.overrides) === JSON.stringify(segment.overrides);
    if (!joins) break;
    call.push(segment);
  }
  return call;
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

/** Each segment as the output's companion records it; `renders` above 1 marks a re-rendered segment. */
function segmentMetadata(segment: SegmentRecord): Record<string, unknown> {
  const { index, text, seed, durationSeconds, overrides, renders } = segment;
  return { index, text, seed, parameters: overrides, duration_seconds: durationSeconds, renders };
}
