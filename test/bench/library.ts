/**
 * The library benchmark (part of `npm run bench`; alone: `node dist/test/bench/library.js`). On a generated
 * outputs/ tree of 100 000 files in 2 000 folders, each with its companion:
 *
 * 1. start to ready: the app started the way the tests start it, until the library index is ready, with a
 *    fresh data folder (cold index: every companion is read) and again with the same one (warm index);
 * 2. GET /api/v1/outputs (page 1, a folder filter, a search, a sort by date) through HTTP against the
 *    index, side by side in the same run with the same query answered by a directory walk per request, as
 *    the original server did. Both answers must be the same page.
 *
 * Targets (design.md §6): the index wins by >= 20x at p50 and answers p50 < 20 ms.
 */
import { rm } from "node:fs/promises";
import { cpus, loadavg } from "node:os";
import { pathToFileURL } from "node:url";
import { FakeInferenceBackend } from "../helpers/fake-inference-backend.js";
import { makeDataDir, startTestApp, type TestApp } from "../helpers/test-app.js";
import { walkListing, type WalkAnswer, type WalkQuery } from "./directory-walk.js";
import { generateOutputsTree, type GeneratedTree, type TreeShape } from "./library-tree.js";

const SHAPE: TreeShape = { books: 40, chaptersPerBook: 50, filesPerFolder: 50 };
/** Index: warm-up requests, then WALK_RUNS rounds of INDEX_PER_ROUND requests per query (50 in all). */
const INDEX_WARMUP = 5;
const INDEX_PER_ROUND = 10;
/** The walk takes seconds per query on the whole tree: one warm-up, then one run per round. */
const WALK_RUNS = 5;
const MIN_RATIO = 20;
const MAX_INDEX_P50_MS = 20;
const PAGE_SIZE = 50;

type Data = Awaited<ReturnType<typeof makeDataDir>>;

interface BenchQuery {
  label: string;
  url: string;
  walk: WalkQuery;
}

interface Timings {
  query: BenchQuery;
  total: number;
  index: number[];
  walk: number[];
}

/** Nearest-rank percentile. */
function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

function queriesFor(tree: GeneratedTree): BenchQuery[] {
  const walk = { sortOrder: "desc", pageSize: PAGE_SIZE } as const;
  return [
    { label: "page 1", url: "/api/v1/outputs", walk },
    {
      label: `folder=${tree.bookFolder}`,
      url: `/api/v1/outputs?folder=${tree.bookFolder}`,
      walk: { ...walk, folder: tree.bookFolder },
    },
    {
      label: `search=${tree.rareSearch}`,
      url: `/api/v1/outputs?search=${tree.rareSearch}`,
      walk: { ...walk, search: tree.rareSearch },
    },
    {
      label: "sort_by=created_date asc",
      url: "/api/v1/outputs?sort_by=created_date&sort_order=asc",
      walk: { ...walk, sortOrder: "asc" },
    },
  ];
}

/** Starts the app over `data` (startTestApp resolves once the library's first walk is done), timed. */
async function startTimed(data: Data): Promise<{ app: TestApp; ms: number }> {
  const started = performance.now();
  const app = await startTestApp({ backend: new FakeInferenceBackend(), data });
  return { app, ms: performance.now() - started };
}

function checkReady(app: TestApp, tree: GeneratedTree): void {
  const status = app.services.library.status();
  if (status.state !== "ready" || status.files.outputs !== tree.files) {
    throw new Error(`library not ready with ${tree.files} outputs after start: ${JSON.stringify(status)}`);
  }
}

/** Stops the server and the services but keeps the data folder, for the next start. */
async function stop(app: TestApp): Promise<void> {
  await app.close();
  await app.services.close();
}

/**
 * An untimed request after a walk: the walk blocks the event loop for seconds, after which the server and
 * the client may both expire the same idle keep-alive connection at once (ECONNRESET); one retry on a
 * network error gets a live connection for the timed requests that follow.
 */
async function settle(app: TestApp, url: string): Promise<void> {
  await getListing(app, url).catch(async (error: unknown) => {
    if (!(error instanceof TypeError)) throw error;
    await getListing(app, url);
  });
}

async function getListing(app: TestApp, url: string): Promise<string> {
  const response = await fetch(`${app.baseUrl}${url}`);
  const body = await response.text();
  if (response.status !== 200) throw new Error(`GET ${url}: ${response.status} ${body}`);
  return body;
}

function timedSync<T>(action: () => T): [T, number] {
  const started = performance.now();
  const result = action();
  return [result, performance.now() - started];
}

async function timed(action: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await action();
  return performance.now() - started;
}

/** Both sides must give the same page: otherwise the comparison would be meaningless. */
function checkSameAnswer(query: BenchQuery, body: string, walked: WalkAnswer): number {
  const listing = JSON.parse(body) as { files: Array<{ path: string }>; total_files: number };
  const paths = listing.files.map((file) => file.path);
  if (listing.total_files !== walked.total || paths.join("\n") !== walked.paths.join("\n")) {
    throw new Error(
      `${query.label}: index and walk disagree (index ${listing.total_files} matches, first ${paths[0]}; ` +
        `walk ${walked.total}, first ${walked.paths[0]})`,
    );
  }
  return walked.total;
}

/** Per query: warm-ups and a check of both answers, then rounds of one walk and INDEX_PER_ROUND requests. */
async function measureQueries(app: TestApp, root: string, queries: BenchQuery[]): Promise<Timings[]> {
  const results: Timings[] = [];
  for (const query of queries) {
    for (let i = 0; i < INDEX_WARMUP; i += 1) await getListing(app, query.url);
    const total = checkSameAnswer(query, await getListing(app, query.url), walkListing(root, query.walk));
    const timings: Timings = { query, total, index: [], walk: [] };
    for (let round = 0; round < WALK_RUNS; round += 1) {
      timings.walk.push(timedSync(() => walkListing(root, query.walk))[1]);
      await settle(app, query.url);
      for (let i = 0; i < INDEX_PER_ROUND; i += 1) timings.index.push(await timed(() => getListing(app, query.url)));
    }
    results.push(timings);
  }
  return results;
}

const ms = (value: number): string => (value < 100 ? `${value.toFixed(1)} ms` : `${value.toFixed(0)} ms`);

/** Whether one query meets both targets, and if not by how much it misses. */
function verdict({ query, index, walk }: Timings): { ok: boolean; line: string } {
  const [a, b] = [percentile(index, 50), percentile(walk, 50)];
  const ok = b / a >= MIN_RATIO && a < MAX_INDEX_P50_MS;
  const budget = Math.min(MAX_INDEX_P50_MS, b / MIN_RATIO);
  const miss = ok ? "meets" : `MISSES: the index needs p50 < ${ms(budget)}, it is ${(a / budget).toFixed(1)}x over`;
  return { ok, line: `${query.label}: ${(b / a).toFixed(0)}x at p50, index p50 ${ms(a)} -> ${miss}` };
}

function report(timings: Timings[], starts: { cold: number; warm: number }): boolean {
  console.log(`\nstart to ready: cold index ${ms(starts.cold)}, warm index ${ms(starts.warm)}`);
  console.log(
    `GET /api/v1/outputs through HTTP (${timings[0]?.index.length} runs after ${INDEX_WARMUP} warm-ups) vs a ` +
      `directory walk per request in-process (${WALK_RUNS} runs after 1 warm-up: its p95 is nearly its maximum)\n`,
  );
  console.log("| measure | index | walk | walk / index |\n|---|---|---|---|");
  for (const { query, total, index, walk } of timings) {
    for (const p of [50, 95]) {
      const [a, b] = [percentile(index, p), percentile(walk, p)];
      console.log(`| ${query.label} (${total} matches) p${p} | ${ms(a)} | ${ms(b)} | ${(b / a).toFixed(0)}x |`);
    }
  }
  const verdicts = timings.map(verdict);
  console.log(`\ntargets (walk / index >= ${MIN_RATIO}x at p50 and index p50 < ${MAX_INDEX_P50_MS} ms):`);
  for (const { line } of verdicts) console.log(`  ${line}`);
  const met = verdicts.every((v) => v.ok);
  console.log(met ? "all targets met" : "TARGETS MISSED");
  return met;
}

/** Runs the whole library benchmark; the generated tree and the data folder are removed in any case. */
export async function libraryBench(shape: TreeShape = SHAPE): Promise<boolean> {
  const data = await makeDataDir();
  try {
    const root = data.config.paths.outputs;
    console.log(`\nlibrary: ${cpus().length} CPUs, load average ${loadavg()[0]?.toFixed(1)} before generating`);
    const tree = generateOutputsTree(root, shape);
    console.log(
      `library: generated ${tree.files} files (+ companions) in ${tree.folders} folders in ` +
        `${(tree.durationMs / 1000).toFixed(1)} s`,
    );
    const cold = await startTimed(data);
    try {
      checkReady(cold.app, tree);
    } finally {
      await stop(cold.app);
    }
    const warm = await startTimed(data);
    try {
      checkReady(warm.app, tree);
      const timings = await measureQueries(warm.app, root, queriesFor(tree));
      return report(timings, { cold: cold.ms, warm: warm.ms });
    } finally {
      await stop(warm.app);
      console.log(`peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB`);
    }
  } finally {
    await rm(data.dir, { recursive: true, force: true });
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await libraryBench();
