/**
 * Parses POST /api/v1/concat (spec §3.17): `files`, each a path below outputs/ or a silence like `(500ms)`,
 * and the shared settings. Every problem is a 422 listing them all, before any file is touched.
 */
import { z } from "zod";
import type { FieldIssue } from "../../domain/errors.js";
import type { ConcatRequest, ConcatSource } from "../../services/concat/concat-request.js";
import { parseSilence } from "../../services/concat/silence-notation.js";
import { asObject, concatCommonShape, resolveCommon, sequenceIssues, silenceIssues } from "./concat-fields.js";
import { toFieldIssues, validationFailed } from "./field-issues.js";
import { sentFields, type Delivery } from "./request-common.js";

export interface ParsedConcatRequest {
  request: ConcatRequest;
  delivery: Delivery;
}

export interface ConcatParserOptions {
  /** Most entries (files and silences) one request may list (config concat.max_items). */
  maxItems: number;
}

function filesSchema(maxItems: number) {
  return z
    .array(z.string({ error: "must be a string: a file in outputs/ or a silence like (500ms)" }), {
      error: (issue) =>
        issue.input === undefined
          ? "Field required: a list of files in outputs/ and silences like (500ms)"
          : "must be a list of files in outputs/ and silences like (500ms)",
    })
    .min(1, { error: "Files array cannot be empty" })
    .max(maxItems, { error: `at most ${maxItems} entries (config concat.max_items)` })
    .describe("The clips to join, in order: files in outputs/, and silences written like (500ms) or (1.5s).");
}

/** Each entry as a silence when it is written like one, else as a file (checked when it is resolved). */
function toSources(files: string[], issues: FieldIssue[]): ConcatSource[] {
  return files.map((item, index) => {
    const ms = parseSilence(item);
    if (ms === undefined) {
      if (item.trim() === "")
        issues.push({ loc: ["body", "files", index], msg: "must not be empty", type: "value_error" });
      return { kind: "server_file", path: item };
    }
    issues.push(...silenceIssues(item, ms, ["body", "files", index]));
    return { kind: "silence", ms, notation: item };
  });
}

/** The JSON body; exported so GET /openapi.json describes the very schema that parses it. */
export function concatBodySchema(maxItems: number) {
  return z.looseObject({ files: filesSchema(maxItems), ...concatCommonShape });
}

export function createConcatRequestParser({ maxItems }: ConcatParserOptions) {
  const schema = concatBodySchema(maxItems);
  const knownFields = new Set(Object.keys(schema.shape));

  return (body: unknown, query: Record<string, unknown>): ParsedConcatRequest => {
    const raw = asObject(body);
    const parsed = schema.safeParse(raw);
    if (!parsed.success) throw validationFailed(toFieldIssues(parsed.error.issues, "body"));
    const issues: FieldIssue[] = [];
    const sources = toSources(parsed.data.files, issues);
    issues.push(...sequenceIssues(sources, { at: ["body", "files"], requirePair: true, noun: "file" }));
    const common = resolveCommon(parsed.data, query, issues);
    if (!common) throw validationFailed(issues);
    const sent = sentFields(raw, parsed.data);
    return {
      request: {
        mode: "concat",
        sources,
        uploads: [],
        project: common.project,
        settings: common.settings,
        explicitFields: new Set(sent.filter((key) => knownFields.has(key))),
        unknownFields: sent.filter((key) => !knownFields.has(key)),
      },
      delivery: common.delivery,
    };
  };
}
