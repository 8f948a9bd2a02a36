/**
 * Parses POST /api/v1/concat/mixed (spec §3.18): the multipart field `request_json` holds the request, whose
 * `segments` are `server_file` (a `source` below outputs/), `upload` (the `index` of a file sent as
 * `uploaded_files`) or `silence` (a `source` like `(500ms)`). Everything is a 422 (the original answered
 * 400, and 500 for a missing `index` or `source`), listing every problem at once.
 */
import { z } from "zod";
import type { FieldIssue } from "../../domain/errors.js";
import type { ConcatSource } from "../../services/concat/concat-request.js";
import type { UploadedFile } from "../../services/library/audio-upload.js";
import { parseSilence } from "../../services/concat/silence-notation.js";
import { asObject, concatCommonShape, resolveCommon, sequenceIssues, silenceIssues } from "./concat-fields.js";
import type { ConcatParserOptions, ParsedConcatRequest } from "./concat-request.js";
import { toFieldIssues, validationFailed } from "./field-issues.js";
import { sentFields } from "./request-common.js";

export const REQUEST_JSON_FIELD = "request_json";
export const UPLOADS_FIELD = "uploaded_files";

const SEGMENT_TYPES = ["server_file", "upload", "silence"] as const;

const segmentSchema = z.looseObject({
  type: z
    .enum(SEGMENT_TYPES, { error: `must be one of ${SEGMENT_TYPES.join(", ")}` })
    .describe("server_file: a file in outputs/; upload: one of the uploaded_files; silence: a pause."),
  source: z
    .string({ error: "must be a string" })
    .nullish()
    .describe("server_file: its path in outputs/; silence: its length, like (500ms) or (1.5s)."),
  index: z
    .number({ error: "must be a number" })
    .int({ error: "must be an integer" })
    .min(0)
    .nullish()
    .describe("upload: the position of its file among the uploaded_files, from 0."),
});
type Segment = z.output<typeof segmentSchema>;
const SEGMENT_FIELDS = new Set(Object.keys(segmentSchema.shape));

/** Issues located inside the `request_json` field. */
function insideRequestJson(issues: FieldIssue[]): FieldIssue[] {
  return issues.map((issue) =>
    issue.loc[0] === "body" ? { ...issue, loc: ["body", REQUEST_JSON_FIELD, ...issue.loc.slice(1)] } : issue,
  );
}

function parseJsonText(text: string | undefined): unknown {
  const at = ["body", REQUEST_JSON_FIELD];
  if (text === undefined) {
    throw validationFailed([{ loc: at, msg: "Field required: the request as JSON text", type: "missing" }]);
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw validationFailed([
      { loc: at, msg: `Invalid JSON in request: ${(error as Error).message}`, type: "json_invalid" },
    ]);
  }
}

/** One segment as a source; its presence rules apply whether or not the fields were sent. */
function toSource(segment: Segment, index: number, issues: FieldIssue[]): ConcatSource {
  const at = (field: string) => ["body", "segments", index, field];
  const needs = (field: string, what: string) =>
    issues.push({ loc: at(field), msg: `${segment.type} segments need '${field}': ${what}`, type: "missing" });
  const refuses = (field: string) =>
    issues.push({ loc: at(field), msg: `${segment.type} segments take no '${field}'`, type: "value_error" });
  if (segment.type === "upload") {
    if (segment.source != null) refuses("source");
    if (segment.index == null) needs("index", "the position of its file among the uploaded_files, from 0");
    return { kind: "upload", index: segment.index ?? 0 };
  }
  if (segment.index != null) refuses("index");
  const source = segment.source ?? "";
  if (segment.type === "server_file") {
    if (source.trim() === "") needs("source", "a file in outputs/");
    return { kind: "server_file", path: source };
  }
  const ms = parseSilence(source);
  if (ms === undefined) needs("source", "a duration like (500ms) or (1.5s)");
  else issues.push(...silenceIssues(source, ms, at("source")));
  return { kind: "silence", ms: ms ?? 0, notation: source };
}

/** The upload indices the segments use, sorted, each once. */
function uploadIndices(sources: ConcatSource[]): number[] {
  const indices = new Set(sources.flatMap((source) => (source.kind === "upload" ? [source.index] : [])));
  return [...indices].sort((a, b) => a - b);
}

/** Upload indices must be 0..max with none left out (an upload may be used more than once). */
function indexIssues(found: number[]): FieldIssue[] {
  if (found.every((index, i) => index === i)) return [];
  const expected = Array.from({ length: found.at(-1)! + 1 }, (_, i) => i);
  const list = (indices: number[]) => `[${indices.join(", ")}]`;
  const msg = `Upload indices must be consecutive starting from 0. Expected: ${list(expected)}, Found: ${list(found)}`;
  return [{ loc: ["body", "segments"], msg, type: "value_error" }];
}

/** Exactly one file per index must have been sent: an extra file would go unused. */
function countIssues(found: number[], uploads: number): FieldIssue[] {
  const expected = found.length === 0 ? 0 : found.at(-1)! + 1;
  if (uploads === expected) return [];
  const msg = `Expected ${expected} uploaded files, got ${uploads}`;
  return [{ loc: ["body", UPLOADS_FIELD], msg, type: "value_error" }];
}

function unknownSegmentFields(raw: unknown, segments: Segment[]): string[] {
  const sent = Array.isArray(raw) ? raw : [];
  return segments.flatMap((segment, index) =>
    sentFields(sent[index], segment)
      .filter((key) => !SEGMENT_FIELDS.has(key))
      .map((key) => `segments[${index}].${key}`),
  );
}

/** The `request_json` part; exported so GET /openapi.json describes the very schema that parses it. */
export function mixedConcatSchema(maxItems: number) {
  return z.looseObject({
    segments: z
      .array(segmentSchema, {
        error: (issue) =>
          issue.input === undefined ? "Field required: a list of segments" : "must be a list of segments",
      })
      .min(1, { error: "Segments array cannot be empty" })
      .max(maxItems, { error: `at most ${maxItems} segments (config concat.max_items)` })
      .describe("The pieces to join, in order."),
    ...concatCommonShape,
  });
}

/** The segments as sources, with the problems of each, of the sequence and of the upload indices. */
function toSources(segments: Segment[], issues: FieldIssue[]): { sources: ConcatSource[]; indices: number[] } {
  const sources = segments.map((segment, index) => toSource(segment, index, issues));
  issues.push(...sequenceIssues(sources, { at: ["body", "segments"], requirePair: false, noun: "segment" }));
  const indices = uploadIndices(sources);
  issues.push(...indexIssues(indices));
  return { sources, indices };
}

/** What the multipart form brought: `request_json`, the `uploaded_files`, and the names of other fields. */
export interface MixedForm {
  requestJson: string | undefined;
  uploads: UploadedFile[];
  otherFields: string[];
}

export function createMixedConcatRequestParser({ maxItems }: ConcatParserOptions) {
  const schema = mixedConcatSchema(maxItems);
  const knownFields = new Set(Object.keys(schema.shape));

  return (form: MixedForm, query: Record<string, unknown>): ParsedConcatRequest => {
    const raw = asObject(parseJsonText(form.requestJson));
    const parsed = schema.safeParse(raw);
    if (!parsed.success) throw validationFailed(insideRequestJson(toFieldIssues(parsed.error.issues, "body")));
    const issues: FieldIssue[] = [];
    const { sources, indices } = toSources(parsed.data.segments, issues);
    const common = resolveCommon(parsed.data, query, issues);
    const all = [...insideRequestJson(issues), ...countIssues(indices, form.uploads.length)];
    if (!common || all.length > 0) throw validationFailed(all);
    const sent = sentFields(raw, parsed.data);
    return {
      request: {
        mode: "mixed",
        sources,
        uploads: form.uploads,
        project: common.project,
        settings: common.settings,
        explicitFields: new Set(sent.filter((key) => knownFields.has(key))),
        unknownFields: [
          ...sent.filter((key) => !knownFields.has(key)),
          ...unknownSegmentFields(raw.segments, parsed.data.segments),
          ...form.otherFields,
        ],
      },
      delivery: common.delivery,
    };
  };
}
