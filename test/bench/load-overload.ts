/**
 * Part 1 of `npm run bench:load`: more clients at once than the sidecar's queue admits. Every request must
 * end with 200, or with 429/503 and Retry-After (a fast, honest refusal); none may hang past the deadline.
 */
import { realSidecarSupervisor } from "../helpers/real-sidecar.js";
import { makeDataDir, startTestApp } from "../helpers/test-app.js";
import {
  nodeRss,
  type Outcome,
  percentile,
  REQUEST_DEADLINE_MS,
  sidecarRss,
  table,
  ttsRequest,
} from "./load-common.js";

const QUEUE_CAPACITY = 4;
const CLIENTS = 4 * 5;
/** Enough rounds that memory growth would show: RSS is compared after the first (warm) round and at the end. */
const ROUNDS = 30;
/** No new round starts after this long. */
const TIME_BUDGET_MS = 90_000;

/** Prints the part's tables; returns the must-be-0 figures that are not 0. */
export async function overloadBench(): Promise<string[]> {
  const data = await makeDataDir(`inference:\n  queue_capacity: ${QUEUE_CAPACITY}\n`);
  const supervisor = realSidecarSupervisor(data.config);
  await supervisor.start();
  const app = await startTestApp({ backend: supervisor.backend, data, health: supervisor });
  const outcomes: Outcome[] = [];
  let rounds = 0;
  try {
    const rss = async () => [nodeRss(), await sidecarRss(supervisor.snapshot().pid)];
    const rssStart = await rss();
    let rssWarm = rssStart;
    const started = performance.now();
    while (rounds < ROUNDS && performance.now() - started < TIME_BUDGET_MS) {
      outcomes.push(...(await Promise.all(Array.from({ length: CLIENTS }, () => ttsRequest(app)))));
      rounds += 1;
      if (rounds === 1) rssWarm = await rss();
    }
    const wallMs = performance.now() - started;
    return report(outcomes, rounds, wallMs, [rssStart, rssWarm, await rss()]);
  } finally {
    await app.dispose();
    await supervisor.stop();
  }
}

/** `rss`: [app, sidecar] at the start, after the first round and at the end. */
function report(outcomes: Outcome[], rounds: number, wallMs: number, rss: string[][]): string[] {
  const ok = outcomes.filter((o) => o.kind === "ok");
  const refusals = outcomes.filter((o) => o.kind === "error" && (o.status === 429 || o.status === 503));
  const noRetryAfter = refusals.filter((o) => o.kind === "error" && o.retryAfter === null).length;
  const otherErrors = outcomes.filter((o) => o.kind === "error" && o.status !== 429 && o.status !== 503);
  const hung = outcomes.filter((o) => o.kind === "hung").length;
  const lost = outcomes.filter((o) => o.kind === "lost" || o.kind === "malformed");
  const byStatus = new Map<string, number>();
  for (const o of outcomes) {
    const key = o.kind === "ok" ? "200" : o.kind === "error" ? `${o.status} ${o.errorCode}` : o.kind;
    byStatus.set(key, (byStatus.get(key) ?? 0) + 1);
  }
  console.log(
    `\noverload: queue_capacity ${QUEUE_CAPACITY}, ${CLIENTS} clients at once, ${rounds} rounds, ` +
      `${outcomes.length} requests in ${(wallMs / 1000).toFixed(1)} s; POST /api/v1/tts (~${200} chars, wav, json)\n`,
  );
  console.log(
    table(
      ["answer", "requests"],
      [...byStatus].sort(([a], [b]) => a.localeCompare(b)),
    ),
  );
  console.log();
  console.log(
    table(
      ["latency", "n", "p50", "p95", "p99"],
      [
        [
          "200",
          ok.length,
          ...[50, 95, 99].map((p) =>
            percentile(
              ok.map((o) => o.ms),
              p,
            ),
          ),
        ],
        [
          "429/503",
          refusals.length,
          ...[50, 95, 99].map((p) =>
            percentile(
              refusals.map((o) => o.ms),
              p,
            ),
          ),
        ],
      ],
    ),
  );
  console.log();
  const mustBeZero: Array<[string, number]> = [
    ["429/503 without Retry-After", noRetryAfter],
    ["other error statuses", otherErrors.length],
    [`unfinished after ${REQUEST_DEADLINE_MS / 1000} s`, hung],
    ["lost or unreadable answers", lost.length],
  ];
  console.log(
    table(
      ["figure", "value"],
      [
        ...mustBeZero.map(([name, n]) => [`${name} (must be 0)`, n]),
        ["RSS of this process (Koa app) start → after round 1 → end", rss.map((r) => r[0]).join(" → ")],
        ["RSS of the sidecar start → after round 1 → end", rss.map((r) => r[1]).join(" → ")],
      ],
    ),
  );
  for (const o of [...otherErrors, ...lost].slice(0, 5)) console.log(`  e.g. ${JSON.stringify(o)}`);
  return mustBeZero.filter(([, n]) => n !== 0).map(([name, n]) => `overload: ${name} = ${n}`);
}
