/**
 * Query strings of the library listings and bulk deletes (spec §3.4–§3.16, §4.17): pagination, the
 * hierarchical `folder` (alias `project`), `search`, `filenames`, sorting, and each library's own filters.
 * Both are strict: a misspelt or meaningless parameter (`serach=`, `page_size=` on a delete) is a 422,
 * never a silently unfiltered listing or a broader delete. Every problem is reported at once.
 */
import { z } from "zod";
import { BadRequestError, type FieldIssue } from "../../domain/errors.js";
import type { LibraryKind } from "../../storage/library/library-entry.js";
import type { LibraryQuery, SortField, SortOrder } from "../../storage/library/library-index.js";
import { safeSegments } from "../../storage/confine.js";
import { booleanWord } from "./boolean-words.js";
import { toFieldIssues, validationFailed } from "./field-issues.js";

type Query = Record<string, unknown>;
type Filters = Omit<LibraryQuery, "sortBy" | "sortOrder" | "page" | "pageSize">;

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

const integer = (min: number, max: number, fallback: number) => {
  const range = `must be an integer from ${min} to ${max}`;
  return z.coerce
    .number({ error: range })
    .int({ error: range })
    .min(min, { error: range })
    .max(max, { error: range })
    .default(fallback);
};

const flag = z
  .string({ error: "must be given once" })
  .refine((value) => booleanWord(value) !== undefined, { error: "must be true or false" })
  .transform((value) => booleanWord(value) === true)
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

/** The filters of a library: the shared ones, and those only it has (the others refuse them as unknown). */
function filterShape(kind: LibraryKind): z.ZodRawShape {
  const shared = { search: optionalText, folder: optionalText, project: optionalText, filenames: optionalText };
  if (kind === "voices") return { ...shared, tag: optionalText };
  if (kind === "outputs") {
    return { ...shared, generation_type: optionalText, date_from: dateBound(false), date_to: dateBound(true) };
  }
  return shared;
}

export function libraryListSchema(kind: LibraryKind) {
  const sorting = SORTING[kind];
  return z.strictObject({
    ...filterShape(kind),
    page: integer(1, 1_000_000, 1),
    page_size: integer(1, 100, 50),
    sort_by: z
      .enum(sorting.fields, { error: `must be one of ${sorting.fields.join(", ")}` })
      .default(sorting.defaultField),
    sort_order: z.enum(["asc", "desc"], { error: "must be asc or desc" }).default(sorting.defaultOrder),
  });
}

export function libraryBulkSchema(kind: LibraryKind) {
  return z.strictObject({ ...filterShape(kind), confirm: flag, all: flag });
}

/** What the filter parameters parse to, whatever the library. */
interface ParsedFilters {
  search?: string | undefined;
  folder?: string | undefined;
  project?: string | undefined;
  filenames?: string | undefined;
  tag?: string | undefined;
  generation_type?: string | undefined;
  date_from?: number | undefined;
  date_to?: number | undefined;
}

function parsed<T>(schema: z.ZodType<T>, query: Query): T {
  const result = schema.safeParse(query);
  if (!result.success) throw validationFailed(toFieldIssues(result.error.issues, "query"));
  return result.data;
}

/** `folder` and its alias `project` (spec §4.4); both given and different is a 422. Confined like any path. */
function folderOf({ folder, project }: ParsedFilters): string | undefined {
  if (folder && project && folder !== project) {
    const issue: FieldIssue = {
      loc: ["query", "project"],
      msg: "must equal 'folder' when both are given",
      type: "value_error",
    };
    throw validationFailed([issue]);
  }
  const chosen = folder || project;
  return chosen ? safeSegments(chosen, "folder").join("/") : undefined;
}

function filtersOf(values: ParsedFilters): Filters {
  // Confined like any client path: a name that tries to leave the root is a 400, not a silent no-match.
  const names = values.filenames
    ?.split(",")
    .map((name) => name.trim())
    .filter((name) => name !== "")
    .map((name) => safeSegments(name, "filenames").join("/"));
  return {
    folder: folderOf(values),
    search: values.search || undefined,
    tag: values.tag || undefined,
    generationType: values.generation_type || undefined,
    filenames: names && names.length > 0 ? names : undefined,
    createdFrom: values.date_from,
    createdTo: values.date_to,
  };
}

/** A listing request: filters, sort and page. */
export function parseListQuery(kind: LibraryKind, query: Query): LibraryQuery & { page: number; pageSize: number } {
  const values = parsed(libraryListSchema(kind), query) as ParsedFilters & {
    page: number;
    page_size: number;
    sort_by: SortField;
    sort_order: SortOrder;
  };
  return {
    ...filtersOf(values),
    sortBy: values.sort_by,
    sortOrder: values.sort_order,
    page: values.page,
    pageSize: values.page_size,
  };
}

/**
 * A bulk delete: `confirm=true` is required, and criteria (or `all=true`) too, so a forgotten parameter can
 * never empty a library. Criteria combine with AND.
 */
export function parseBulkDeleteQuery(kind: LibraryKind, query: Query): Omit<LibraryQuery, "page" | "pageSize"> {
  requireConfirmation(query);
  const values = parsed(libraryBulkSchema(kind), query) as ParsedFilters & { all?: boolean };
  const filters = filtersOf(values);
  const hasCriteria = Object.values(filters).some((value) => value !== undefined);
  if (!hasCriteria && values.all !== true) {
    throw new BadRequestError(
      "A bulk delete needs criteria (folder, search, filenames and the like) or all=true to delete everything",
      "CRITERIA_REQUIRED",
    );
  }
  return { ...filters, sortBy: "filename", sortOrder: "asc" };
}

/** Every delete needs `confirm=true` (also `1`, `yes`, `on`). */
export function requireConfirmation(query: Query): void {
  if (booleanWord(String(query.confirm ?? "")) !== true) {
    throw new BadRequestError("Deletion requires confirm=true", "CONFIRMATION_REQUIRED");
  }
}
