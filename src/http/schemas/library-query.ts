/**
 * Query strings of the library listings and bulk deletes (spec §3.4–§3.16, §4.17): pagination, the
 * hierarchical `folder` (alias `project`), `search`, `filenames`, sorting, and each library's own filters.
 * Every problem is reported at once as a 422 located in `query`.
 */
import { z } from "zod";
import { BadRequestError, type FieldIssue } from "../../domain/errors.js";
import type { LibraryKind } from "../../storage/library/library-entry.js";
import type { LibraryQuery, SortField, SortOrder } from "../../storage/library/library-index.js";
import { safeSegments } from "../../storage/confine.js";
import { toFieldIssues, validationFailed } from "./field-issues.js";

type Query = Record<string, unknown>;

/** Sort fields each library offers, and its order when none is asked for. */
const SORTING: Record<LibraryKind, { fields: readonly SortField[]; defaultField: SortField; defaultOrder: SortOrder }> =
  {
    voices: {
      fields: ["name", "created_date", "duration", "usage_count", "last_used", "filename", "size"],
      defaultField: "name",
      defaultOrder: "asc",
    },
    vc_inputs: {
      fields: ["created_date", "filename", "duration", "size"],
      defaultField: "created_date",
      defaultOrder: "desc",
    },
    outputs: {
      fields: ["created_date", "filename", "duration", "size"],
      defaultField: "created_date",
      defaultOrder: "desc",
    },
  };

const optionalText = z
  .string({ error: "must be given once" })
  .transform((value) => value.trim())
  .optional();

/** `YYYY-MM-DD` (a whole local day) or a full ISO 8601 timestamp. */
const dateBound = (end: boolean) =>
  optionalText.transform((value, ctx) => {
    if (!value) return undefined;
    const dayOnly = /^\d{4}-\d{2}-\d{2}$/.test(value);
    const parsed = dayOnly ? new Date(`${value}T${end ? "23:59:59.999" : "00:00:00"}`) : new Date(value);
    if (Number.isNaN(parsed.getTime())) {
      ctx.addIssue({ code: "custom", message: "must be a date (YYYY-MM-DD) or an ISO 8601 timestamp" });
      return z.NEVER;
    }
    return parsed.getTime();
  });

/** The filters only one library has; the others refuse them as unknown parameters. */
function ownFilters(kind: LibraryKind): z.ZodRawShape {
  if (kind === "voices") return { tag: optionalText };
  if (kind === "outputs")
    return { generation_type: optionalText, date_from: dateBound(false), date_to: dateBound(true) };
  return {};
}

function querySchema(kind: LibraryKind) {
  const sorting = SORTING[kind];
  // Strict: a misspelt parameter (`serach=`) is a 422, never a silently unfiltered listing.
  return z.strictObject({
    page: z.coerce.number({ error: "must be a number" }).int({ error: "must be an integer" }).min(1).default(1),
    page_size: z.coerce
      .number({ error: "must be a number" })
      .int({ error: "must be an integer" })
      .min(1)
      .max(100)
      .default(50),
    search: optionalText,
    folder: optionalText,
    project: optionalText,
    filenames: optionalText,
    sort_by: z
      .enum(sorting.fields, { error: `must be one of ${sorting.fields.join(", ")}` })
      .default(sorting.defaultField),
    sort_order: z.enum(["asc", "desc"], { error: "must be asc or desc" }).default(sorting.defaultOrder),
    ...ownFilters(kind),
  });
}

type ParsedQuery = z.output<ReturnType<typeof querySchema>> & {
  tag?: string | undefined;
  generation_type?: string | undefined;
  date_from?: number | undefined;
  date_to?: number | undefined;
};

/** `folder` and its alias `project` (spec §4.4); both given and different is a 422. Confined like any path. */
function folderOf(parsed: ParsedQuery, issues: FieldIssue[]): string | undefined {
  const { folder, project } = parsed;
  if (folder && project && folder !== project) {
    issues.push({ loc: ["query", "project"], msg: "must equal 'folder' when both are given", type: "value_error" });
  }
  const chosen = folder || project;
  return chosen ? safeSegments(chosen, "folder").join("/") : undefined;
}

function filenamesOf(value: string | undefined): string[] | undefined {
  const names = value
    ?.split(",")
    .map((name) => name.trim())
    .filter((name) => name !== "");
  return names && names.length > 0 ? names : undefined;
}

function parse(
  kind: LibraryKind,
  query: Query,
): { parsed: ParsedQuery; filters: Omit<LibraryQuery, "sortBy" | "sortOrder"> } {
  const result = querySchema(kind).safeParse(query);
  if (!result.success) throw validationFailed(toFieldIssues(result.error.issues, "query"));
  const parsed = result.data as ParsedQuery;
  const issues: FieldIssue[] = [];
  const folder = folderOf(parsed, issues);
  if (issues.length > 0) throw validationFailed(issues);
  return {
    parsed,
    filters: {
      folder,
      search: parsed.search || undefined,
      tag: parsed.tag || undefined,
      generationType: parsed.generation_type || undefined,
      filenames: filenamesOf(parsed.filenames),
      createdFrom: parsed.date_from,
      createdTo: parsed.date_to,
    },
  };
}

/** A listing request: filters, sort and page. */
export function parseListQuery(kind: LibraryKind, query: Query): LibraryQuery & { page: number; pageSize: number } {
  const { parsed, filters } = parse(kind, query);
  return {
    ...filters,
    sortBy: parsed.sort_by,
    sortOrder: parsed.sort_order,
    page: parsed.page,
    pageSize: parsed.page_size,
  };
}

const TRUE_WORDS = new Set(["true", "1", "yes", "on"]);

/**
 * A bulk delete: `confirm=true` is required, and criteria (or `all=true`) too, so a forgotten parameter
 * can never empty a library. Criteria combine with AND.
 */
export function parseBulkDeleteQuery(kind: LibraryKind, query: Query): Omit<LibraryQuery, "page" | "pageSize"> {
  requireConfirmation(query);
  const { confirm: _confirm, all, ...rest } = query;
  const { filters } = parse(kind, rest);
  const hasCriteria = Object.values(filters).some((value) => value !== undefined);
  if (!hasCriteria && !TRUE_WORDS.has(String(all ?? "").toLowerCase())) {
    throw new BadRequestError(
      "A bulk delete needs criteria (folder, search, filenames and the like) or all=true to delete everything",
      "CRITERIA_REQUIRED",
    );
  }
  return { ...filters, sortBy: "filename", sortOrder: "asc" };
}

/** Single deletes need `confirm=true` too. */
export function requireConfirmation(query: Query): void {
  if (!TRUE_WORDS.has(String(query.confirm ?? "").toLowerCase())) {
    throw new BadRequestError("Deletion requires confirm=true", "CONFIRMATION_REQUIRED");
  }
}
