/**
 * What the synthesis requests (TTS, VC) share at the edge: defaults filled in from config, the `project`
 * alias `folder`, the fields the client actually sent, and the delivery switches `response_mode` /
 * `return_format` (query wins over body, spec §1.4).
 */
import type { z } from "zod";
import type { FieldIssue } from "../../domain/errors.js";
import type { ExportFormat } from "../../domain/tts-fields.js";

export const AUDIO_RESPONSE_MODES = ["stream", "file", "download"] as const;
export const JSON_RESPONSE_MODES = ["json", "url"] as const;
const RESPONSE_MODES: readonly string[] = [...AUDIO_RESPONSE_MODES, ...JSON_RESPONSE_MODES];

/** How the answer is delivered. */
export interface Delivery {
  /** `audio` streams one file back; `json` describes every file. */
  kind: "audio" | "json";
  /** The file streamed in audio mode. */
  returnFormat: ExportFormat;
}

type Body = Record<string, unknown>;

/** The defaulted fields' schemas, each optional in the body (the default fills what is missing). */
export function optionalFields<S extends Record<string, z.ZodType>>(
  schemas: S,
): { [K in keyof S]: z.ZodOptional<S[K]> } {
  return Object.fromEntries(Object.entries(schemas).map(([name, schema]) => [name, schema.optional()])) as {
    [K in keyof S]: z.ZodOptional<S[K]>;
  };
}

/** Every defaulted field: the body's value where it sent one, else the default. */
export function withDefaults<D extends object>(body: object, defaults: D): D {
  const resolved = { ...defaults } as Record<string, unknown>;
  for (const name of Object.keys(defaults)) {
    const value = (body as Body)[name];
    if (value !== undefined) resolved[name] = value;
  }
  return resolved as D;
}

/** Names of the body fields that were sent with a value (null counts as not sent). */
export function sentFields(raw: unknown, parsed: object): string[] {
  return Object.keys(raw as object).filter((key) => (parsed as Body)[key] != null);
}

/** `folder` is an alias of `project`; both set to different values is an error (spec §3.1). */
export function resolveProject(
  body: { project?: string | null; folder?: string | null },
  issues: FieldIssue[],
): string | undefined {
  const { project, folder } = body;
  if (project != null && folder != null && project !== folder) {
    issues.push({
      loc: ["body", "folder"],
      msg: "Cannot specify both 'project' and 'folder' parameters with different values",
      type: "value_error",
    });
  }
  return project ?? folder ?? undefined;
}

export function resolveDelivery(
  body: object,
  query: Record<string, unknown>,
  formats: ExportFormat[],
  issues: FieldIssue[],
): Delivery | undefined {
  const mode = pick("response_mode", query, body, issues) ?? "stream";
  const returnFormat = pick("return_format", query, body, issues) ?? formats[0];
  if (!RESPONSE_MODES.includes(mode)) {
    issues.push(issueAt("response_mode", query, `must be one of ${RESPONSE_MODES.join(", ")}`));
  }
  if (!formats.includes(returnFormat as ExportFormat)) {
    issues.push(issueAt("return_format", query, `must be one of the requested export_formats (${formats.join(", ")})`));
  }
  if (issues.length > 0) return undefined;
  const kind = (AUDIO_RESPONSE_MODES as readonly string[]).includes(mode) ? "audio" : "json";
  return { kind, returnFormat: returnFormat as ExportFormat };
}

/** The query value wins over the body value; both are case-insensitive. */
function pick(name: string, query: Record<string, unknown>, body: object, issues: FieldIssue[]): string | undefined {
  const fromQuery = query[name];
  if (Array.isArray(fromQuery)) {
    issues.push({ loc: ["query", name], msg: "must be given once", type: "value_error" });
    return undefined;
  }
  const value = typeof fromQuery === "string" ? fromQuery : (body as Body)[name];
  return typeof value === "string" && value !== "" ? value.toLowerCase() : undefined;
}

function issueAt(name: string, query: Record<string, unknown>, msg: string): FieldIssue {
  return { loc: [typeof query[name] === "string" ? "query" : "body", name], msg, type: "value_error" };
}
