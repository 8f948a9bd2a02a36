import type { z } from "zod";
import { ValidationError, type FieldIssue } from "../../domain/errors.js";

/** Turns zod issues into the API's `detail` list, located under `body` or `query`. */
export function toFieldIssues(issues: z.core.$ZodIssue[], where: "body" | "query"): FieldIssue[] {
  return issues.map((issue) => ({
    loc: [where, ...issue.path.map((part) => (typeof part === "symbol" ? String(part) : part))],
    msg: issue.message,
    type: issue.code,
  }));
}

/** One ValidationError naming the first problem, with every problem in `detail`. */
export function validationFailed(issues: FieldIssue[]): ValidationError {
  const [first] = issues;
  const field = first ? first.loc.slice(1).join(".") : "";
  const more = issues.length > 1 ? ` (and ${issues.length - 1} more)` : "";
  const message = first ? `${field ? `${field}: ` : ""}${first.msg}${more}` : "Invalid request";
  return new ValidationError(message, issues);
}
