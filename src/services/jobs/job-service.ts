/**
 * The jobs API in domain terms: submission (the body validated exactly as the synchronous endpoint would, the
 * seed fixed, the webhook checked), lookups, control, and re-rendering one segment of a finished TTS job.
 */
import { randomBytes, randomUUID } from "node:crypto";
import {
  ConflictError,
  NotFoundError,
  RateLimitedError,
  ValidationError,
  type FieldIssue,
} from "../../domain/errors.js";
import { ttsFieldSchemas } from "../../domain/tts-fields.js";
import { hasChapterMarkers } from "../../text/chapters.js";
import type { ConcatRequest } from "../concat/concat-request.js";
import { resolveSeed, type RandomSource } from "../seeds.js";
import { prepareText } from "../tts/text-preparation.js";
import type { TtsRequest } from "../tts/tts-request.js";
import type { VcRequest } from "../vc/vc-request.js";
import type { JobRunner } from "./job-runner.js";
import type { JobFilter, JobStore } from "./job-store.js";
import type { BookFormat, JobEvent, JobRecord, JobType, SegmentRecord } from "./job-types.js";
import type { SegmentRetention } from "./segment-retention.js";

/** The synchronous endpoints' own request validation (a ValidationError naming body fields). */
export interface JobRequestParsers {
  tts(body: Record<string, unknown>): TtsRequest;
  vc(body: Record<string, unknown>): VcRequest;
  concat(body: Record<string, unknown>): ConcatRequest;
}

export interface JobSubmission {
  type: JobType;
  request: Record<string, unknown>;
  webhookUrl: string | undefined;
  chapters: BookFormat | undefined;
  splitChapters: boolean;
  keyId: string | null;
}

/** A re-render of one segment: anything left unset keeps the segment's current value. */
export interface SegmentChange {
  text?: string | undefined;
  seed?: number | undefined;
  parameters?: Record<string, number> | undefined;
}

/** Sampling parameters a re-render may change for one segment. */
const SEGMENT_PARAMETERS = ["exaggeration", "cfg_weight", "temperature"] as const;

/** Body fields of the synchronous endpoints that choose how an answer is sent: a job has no such answer. */
const RESPONSE_FIELDS = ["response_mode", "return_format", "progressive"];

export interface JobServiceOptions {
  store: JobStore;
  runner: JobRunner;
  parsers: JobRequestParsers;
  random: RandomSource;
  /** Resolves and checks a webhook URL by the URL-source rules; a 422 naming webhook_url when refused. */
  checkWebhookUrl(url: string): Promise<URL>;
  /** The longest segment text a re-render may set. */
  segmentLimit(): Promise<number>;
  /** Queued, running and paused jobs one key (or, with keys off, everyone) may have (jobs.max_unfinished_per_key). */
  maxUnfinishedPerKey: number;
  retention: SegmentRetention;
}

/** Retry-After of a refusal for too many unfinished jobs: jobs take minutes, not seconds. */
const UNFINISHED_RETRY_AFTER_SECONDS = 60;

export class JobService {
  constructor(private readonly options: JobServiceOptions) {}

  /** Resumes what a stopped server left running, then runs queued jobs. */
  start(): void {
    this.options.runner.start();
    this.options.retention.start();
  }

  /** Stops the running jobs where they are; the next start resumes them. */
  async stop(): Promise<void> {
    // The runner first: a job that ends while it stops checks the retention too.
    await this.options.runner.stop();
    await this.options.retention.stop();
  }

  /** @returns the job and the secret its webhook calls are signed with (shown once). */
  async submit(submission: JobSubmission): Promise<{ job: JobRecord; webhookSecret: string | undefined }> {
    const { type, keyId } = submission;
    const unfinished = this.options.store.unfinishedCount(keyId);
    if (unfinished >= this.options.maxUnfinishedPerKey) {
      throw new RateLimitedError(
        `${unfinished} jobs are still unfinished (queued, running or paused), the most jobs.max_unfinished_per_key ` +
          "allows; submit more when some have ended, or cancel some",
        UNFINISHED_RETRY_AFTER_SECONDS,
      );
    }
    const request = { ...submission.request };
    const parsed = withinRequest(() => this.options.parsers[type](request));
    // The seed the whole job speaks with, drawn now when the request leaves it random, so a resume sounds the same.
    const seed = type === "tts" ? resolveSeed((parsed as TtsRequest).options.seed, this.options.random) : null;
    if (type === "concat" && request.seed == null) request.seed = resolveSeed(0, this.options.random);
    checkChapters(submission, parsed);
    const webhookUrl = submission.webhookUrl && (await this.options.checkWebhookUrl(submission.webhookUrl)).href;
    const webhookSecret = webhookUrl ? randomBytes(24).toString("hex") : undefined;
    const job = this.options.runner.submit({
      id: `job_${randomUUID().replaceAll("-", "")}`,
      type,
      request,
      project: (parsed as { project?: string | undefined }).project || null,
      keyId,
      seed,
      chapters: submission.chapters ?? null,
      splitChapters: submission.splitChapters,
      webhookUrl: webhookUrl ?? null,
      webhookSecret: webhookSecret ?? null,
      warnings: ignoredFieldWarnings(request),
    });
    return { job: this.get(job.id), webhookSecret };
  }

  get(id: string, keyId?: string): JobRecord {
    const job = this.options.store.get(id);
    // Another key's job is reported as missing: its existence is not the caller's business.
    if (!job || (keyId !== undefined && job.keyId !== keyId)) throw new NotFoundError(`Job not found: ${id}`);
    return job;
  }

  list(filter: JobFilter): { jobs: JobRecord[]; total: number } {
    return this.options.store.list(filter);
  }

  segments(id: string, keyId?: string): SegmentRecord[] {
    const job = this.get(id, keyId);
    if (job.type !== "tts") throw new ConflictError(`a ${job.type} job has no text segments`);
    return this.options.store.segments(id);
  }

  events(id: string, afterEventId: number): JobEvent[] {
    return this.options.store.eventsAfter(id, afterEventId);
  }

  subscribe(id: string, listener: (event: JobEvent) => void): () => void {
    return this.options.runner.subscribe(id, listener);
  }

  pause(id: string): Promise<JobRecord> {
    return this.options.runner.pause(id);
  }

  resume(id: string): JobRecord {
    return this.options.runner.resume(id);
  }

  cancel(id: string): Promise<JobRecord> {
    return this.options.runner.cancel(id);
  }

  remove(id: string): Promise<void> {
    return this.options.runner.remove(id);
  }

  /**
   * Speaks segment `index` again (with new text, seed or parameters) and publishes the job's result as a new
   * version; the earlier versions' files stay until deleted.
   */
  async rerender(id: string, index: number, change: SegmentChange): Promise<JobRecord> {
    const job = this.options.store.get(id)!;
    if (job.type !== "tts") throw new ConflictError(`a ${job.type} job has no text segments to re-render`);
    if (job.state !== "succeeded" && job.state !== "failed") {
      throw new ConflictError(`only a finished (succeeded or failed) job can re-render a segment; it is ${job.state}`);
    }
    const segment = this.options.store.segments(id).find((s) => s.index === index);
    if (!segment) throw new NotFoundError(`The job has no segment ${index} (it has ${job.segmentsTotal})`);
    const texts = change.text === undefined ? segment : await this.preparedText(job, change.text);
    const overrides = { ...segment.overrides, ...checkedParameters(change.parameters ?? {}) };
    const { text, displayText } = texts;
    this.options.store.resetSegment(id, index, { text, displayText, seed: change.seed ?? segment.seed, overrides });
    this.options.runner.requeue(id);
    return this.get(id);
  }

  /**
   * New text for one segment, prepared as the job's own text was (sound words, preprocessing, lower-casing),
   * so the segment is spoken like its neighbours.
   * @throws ValidationError when nothing is left to speak, or it needs more than one segment
   */
  private async preparedText(job: JobRecord, text: string): Promise<Pick<SegmentRecord, "text" | "displayText">> {
    const request = { ...this.options.parsers.tts(job.request), text };
    const limit = await this.options.segmentLimit();
    const { texts, displayTexts } = withinField("text", () => prepareText(request, limit));
    if (texts.length !== 1) throw invalid(["body", "text"], `at most ${limit} characters fit in one segment`);
    return { text: texts[0]!, displayText: displayTexts[0]! };
  }
}

/** Fields of the synchronous request that choose how its answer is sent, named because a job ignores them. */
function ignoredFieldWarnings(request: Record<string, unknown>): string[] {
  const ignored = RESPONSE_FIELDS.filter((field) => Object.hasOwn(request, field));
  if (ignored.length === 0) return [];
  const [does, was] = ignored.length === 1 ? ["does", "was"] : ["do", "were"];
  return [`${ignored.join(", ")} ${does} not apply to jobs and ${was} not used`];
}

/** Chapter books and chapter files need a TTS text with chapter markers. */
function checkChapters(submission: JobSubmission, parsed: unknown): void {
  const field = submission.chapters ? "chapters" : submission.splitChapters ? "split_chapters" : undefined;
  if (field === undefined) return;
  if (submission.type !== "tts") throw invalid(["body", field], "chapters are for tts jobs");
  if (!hasChapterMarkers((parsed as TtsRequest).text)) {
    throw invalid(["body", field], "the text has no chapter markers (lines such as '# Chapter 2')");
  }
}

function checkedParameters(parameters: Record<string, number>): Record<string, number> {
  const issues: FieldIssue[] = [];
  const checked: Record<string, number> = {};
  for (const [name, value] of Object.entries(parameters)) {
    const loc = ["body", "parameters", name];
    if (!(SEGMENT_PARAMETERS as readonly string[]).includes(name)) {
      issues.push({ loc, msg: `only ${SEGMENT_PARAMETERS.join(", ")} can change per segment`, type: "value_error" });
      continue;
    }
    const parsed = ttsFieldSchemas[name as (typeof SEGMENT_PARAMETERS)[number]].safeParse(value);
    if (parsed.success) checked[name] = parsed.data;
    else issues.push({ loc, msg: parsed.error.issues[0]?.message ?? "invalid", type: "value_error" });
  }
  if (issues.length > 0) throw new ValidationError("Invalid segment parameters", issues);
  return checked;
}

function invalid(loc: string[], msg: string): ValidationError {
  return new ValidationError(msg, [{ loc, msg, type: "value_error" }]);
}

/** Runs a synchronous endpoint's parser on a job's `request`, so its issues point inside `request`. */
function withinRequest<T>(parse: () => T): T {
  return relocated(parse, (loc) => (loc[0] === "body" ? ["body", "request", ...loc.slice(1)] : loc));
}

/** Runs text preparation on a re-render's text, so its issues point at the re-render's `text`. */
function withinField<T>(field: string, prepare: () => T): T {
  return relocated(prepare, () => ["body", field]);
}

function relocated<T>(work: () => T, move: (loc: FieldIssue["loc"]) => FieldIssue["loc"]): T {
  try {
    return work();
  } catch (error) {
    if (!(error instanceof ValidationError) || !Array.isArray(error.detail)) throw error;
    throw new ValidationError(
      error.message,
      error.detail.map((issue) => ({ ...issue, loc: move(issue.loc) })),
    );
  }
}
