/**
 * Reads the API reference pages the way the docs test needs them: the runnable shell examples (```bash blocks
 * that call curl), the endpoint index table at the top of a page, and the anchors its headings get on GitHub.
 */

/** A ```bash block of a page that the docs test runs. */
export interface ShellExample {
  /** 1-based line of the opening fence, for test titles and failure messages. */
  line: number;
  script: string;
}

/** One row of a page's endpoint index. */
export interface IndexRow {
  /** `GET /api/v1/voices/{path}`: the method, one space, the path with `{name}` parameters. */
  route: string;
  /** The `#anchor` the row links to, if any. */
  anchor: string | undefined;
}

/** The first line of a block the docs test must leave alone, followed by the reason. */
export const NOT_RUN_MARKER = "# not run by the docs test:";

const FENCE = /^```(\S*)\s*$/;

/** Every ```bash block that contains `curl`, in page order, except the ones marked {@link NOT_RUN_MARKER}. */
export function shellExamples(markdown: string): ShellExample[] {
  const lines = markdown.split("\n");
  const examples: ShellExample[] = [];
  for (let i = 0; i < lines.length; i += 1) {
    const open = FENCE.exec(lines[i] as string);
    if (!open) continue;
    const start = i;
    const body: string[] = [];
    for (i += 1; i < lines.length && !/^```\s*$/.test(lines[i] as string); i += 1) body.push(lines[i] as string);
    const script = body.join("\n");
    const marked = (body[0] ?? "").trim().startsWith(NOT_RUN_MARKER);
    if (open[1] === "bash" && /\bcurl\b/.test(script) && !marked) examples.push({ line: start + 1, script });
  }
  return examples;
}

function cells(line: string): string[] {
  return line
    .trim()
    .replace(/^\||\|$/g, "")
    .split("|")
    .map((cell) => cell.trim());
}

/** The text inside the first pair of backticks of a cell, else the cell without markdown punctuation. */
function plain(cell: string): string {
  return (/`([^`]+)`/.exec(cell)?.[1] ?? cell.replace(/[*[\]]/g, "")).trim();
}

/**
 * The rows of the first table whose header has `Method` and `Path` columns; empty when the page has none.
 * Only tables before the first `## ` heading count: the index opens the page.
 */
export function endpointIndex(markdown: string): IndexRow[] {
  const lines = markdown.split("\n");
  const end = lines.findIndex((line) => line.startsWith("## "));
  const top = end < 0 ? lines : lines.slice(0, end);
  const headerAt = top.findIndex((line) => {
    const names = cells(line).map((cell) => cell.toLowerCase());
    return line.trim().startsWith("|") && names.includes("method") && names.includes("path");
  });
  if (headerAt < 0) return [];
  const header = cells(top[headerAt] as string).map((cell) => cell.toLowerCase());
  const [methodAt, pathAt] = [header.indexOf("method"), header.indexOf("path")];
  const rows: IndexRow[] = [];
  for (const line of top.slice(headerAt + 2)) {
    if (!line.trim().startsWith("|")) break;
    const row = cells(line);
    const anchor = /\]\(#([^)]+)\)/.exec(line)?.[1];
    rows.push({ route: `${plain(row[methodAt] ?? "").toUpperCase()} ${plain(row[pathAt] ?? "")}`, anchor });
  }
  return rows;
}

/** The anchors GitHub gives the page's headings (lower case, punctuation dropped, spaces to `-`, `-1` for repeats). */
export function headingAnchors(markdown: string): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  let fenced = false;
  for (const line of markdown.split("\n")) {
    if (line.startsWith("```")) fenced = !fenced;
    const heading = fenced ? null : /^#{1,6}\s+(.*)$/.exec(line);
    if (!heading) continue;
    const slug = (heading[1] as string)
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\s_-]/gu, "")
      .replace(/\s/g, "-");
    const repeats = seen.get(slug) ?? 0;
    seen.set(slug, repeats + 1);
    anchors.add(repeats === 0 ? slug : `${slug}-${repeats}`);
  }
  return anchors;
}
