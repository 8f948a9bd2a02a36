/**
 * POST /api/v1/jobs: `{type, request, webhook_url?, chapters?, split_chapters?}`, where `request` is the body the synchronous
 * endpoint of that type takes and is validated by that endpoint's own parser.
 */
import { z } from "zod";
import type { AppConfig } from "../../config/app-config.js";
import { MAX_SEED } from "../../domain/tts-fields.js";
import { BOOK_FORMATS, JOB_STATES, JOB_TYPES } from "../../services/jobs/job-types.js";
import type { JobRequestParsers } from "../../services/jobs/job-service.js";
import { createConcatRequestParser } from "./concat-request.js";
import { toFieldIssues, validationFailed } from "./field-issues.js";
import { createTtsRequestParser } from "./tts-request.js";
import { createVcRequestParser } from "./vc-request.js";

const NO_QUERY = {};

export function createJobRequestParsers(config: AppConfig): JobRequestParsers {
  const tts = createTtsRequestParser({ defaults: config.ttsDefaults, maxTextLength: config.jobs.maxTextLength });
  const vc = createVcRequestParser(config.vcDefaults);
  const concat = createConcatRequestParser({ maxItems: config.concat.maxItems });
  return {
    tts: (body) => tts({ body, query: NO_QUERY }).request,
    vc: (body) => vc.json(body, NO_QUERY).request,
    concat: (body) => concat(body, NO_QUERY).request,
  };
}

export const jobSubmissionSchema = z.strictObject({
  type: z.enum(JOB_TYPES, { error: `must be one of ${JOB_TYPES.join(", ")}` }),
  request: z.record(z.string(), z.unknown(), { error: "must be the body of the synchronous request (an object)" }),
  webhook_url: z.string({ error: "must be a URL" }).min(1).optional(),
  chapters: z.enum(BOOK_FORMATS, { error: `must be one of ${BOOK_FORMATS.join(", ")}` }).optional(),
  split_chapters: z.boolean({ error: "must be true or false" }).default(false),
});

export function parseJobSubmission(body: unknown): z.output<typeof jobSubmissionSchema> {
  const parsed = jobSubmissionSchema.safeParse(body);
  if (!parsed.success) throw validationFailed(toFieldIssues(parsed.error.issues, "body"));
  return parsed.data;
}

export const jobListQuerySchema = z.strictObject({
  state: z.enum(JOB_STATES, { error: `must be one of ${JOB_STATES.join(", ")}` }).optional(),
  project: z.string().optional(),
  key_id: z.string().min(1).optional(),
  limit: z.coerce.number({ error: "must be a number" }).int().min(1).max(1000).default(50),
  offset: z.coerce.number({ error: "must be a number" }).int().min(0).default(0),
});

export function parseJobListQuery(query: unknown): z.output<typeof jobListQuerySchema> {
  const parsed = jobListQuerySchema.safeParse(query);
  if (!parsed.success) throw validationFailed(toFieldIssues(parsed.error.issues, "query"));
  return parsed.data;
}

export const segmentRenderSchema = z.strictObject({
  text: z.string({ error: "must be a string" }).optional(),
  seed: z.number({ error: "must be a number" }).int().min(1).max(MAX_SEED).optional(),
  parameters: z.record(z.string(), z.number({ error: "must be a number" })).optional(),
});

export function parseSegmentRender(body: unknown): z.output<typeof segmentRenderSchema> {
  const parsed = segmentRenderSchema.safeParse(body ?? {});
  if (!parsed.success) throw validationFailed(toFieldIssues(parsed.error.issues, "body"));
  return parsed.data;
}
