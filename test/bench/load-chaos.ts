/**
 * Part 2 of `npm run bench:load`: TTS requests while the sidecar is killed (SIGKILL) again and again. Each
 * request must succeed or fail with a clean error body; none may be lost (no answer, reset, past the
 * deadline); afterwards every audio file in outputs/ must decode and have its .json companion.
 *
 * The clients are polite: after a 429/503 they wait Retry-After (at most 1 s) before their next request, as
 * a real client would, rather than spending the whole run against a restarting sidecar. The kills are spread
 * over the run: kill k comes once k/6 of the requests have been answered and the sidecar is ready again.
 */
import { once } from "node:events";
import { readdir, stat } from "node:fs/promises";
import { join } from "node:path";
import { decodeAudio } from "../helpers/audio-file.js";
import { realSidecarSupervisor } from "../helpers/real-sidecar.js";
import { makeDataDir, startTestApp } from "../helpers/test-app.js";
import { type Outcome, REQUEST_DEADLINE_MS, sleep, table, ttsRequest } from "./load-common.js";

const REQUESTS = 200;
const CONCURRENCY = 6;
const KILLS = 5;
/** No new request starts after this long. */
const TIME_BUDGET_MS = 180_000;
/** How long a restart may take before the benchmark stops killing. */
const READY_TIMEOUT_MS = 60_000;

type Supervisor = ReturnType<typeof realSidecarSupervisor>;

/** Prints the part's tables; returns the must-be-0 figures that are not 0. */
export async function chaosBench(): Promise<string[]> {
  const data = await makeDataDir();
  const supervisor = realSidecarSupervisor(data.config);
  await supervisor.start();
  const app = await startTestApp({ backend: supervisor.backend, data, health: supervisor });
  try {
    const outcomes: Outcome[] = [];
    const started = performance.now();
    let issued = 0;
    const worker = async () => {
      while (issued < REQUESTS && performance.now() - started < TIME_BUDGET_MS) {
        issued += 1;
        const outcome = await ttsRequest(app);
        outcomes.push(outcome);
        if (outcome.kind === "error" && outcome.retryAfter !== null) {
          await sleep(Math.min(1000, Number(outcome.retryAfter) * 1000 || 1000));
        }
      }
    };
    const state = { done: false };
    const killing = killer(supervisor, () => outcomes.length, state);
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    state.done = true;
    const kills = await killing;
    const wallMs = performance.now() - started;
    const files = await judgeOutputs(app.config.paths.outputs);
    return report(outcomes, kills, wallMs, files);
  } finally {
    await app.dispose();
    await supervisor.stop();
  }
}

interface Kills {
  done: number;
  restartMs: number[];
  problem: string | null;
}

async function killer(supervisor: Supervisor, answered: () => number, state: { done: boolean }): Promise<Kills> {
  const kills: Kills = { done: 0, restartMs: [], problem: null };
  while (kills.done < KILLS && !state.done) {
    const threshold = ((kills.done + 1) * REQUESTS) / (KILLS + 1);
    const pid = supervisor.snapshot().pid;
    if (answered() < threshold || pid === null || supervisor.snapshot().state !== "ready") {
      await sleep(20);
      continue;
    }
    const ready = once(supervisor, "ready", { signal: AbortSignal.timeout(READY_TIMEOUT_MS) });
    const killedAt = performance.now();
    process.kill(pid, "SIGKILL");
    kills.done += 1;
    try {
      await ready;
      kills.restartMs.push(performance.now() - killedAt);
    } catch {
      kills.problem = `no "ready" within ${READY_TIMEOUT_MS / 1000} s of kill ${kills.done}`;
      return kills;
    }
  }
  return kills;
}

interface FileCheck {
  audio: number;
  withoutCompanion: string[];
  undecodable: string[];
  orphanCompanions: string[];
}

/** Every file under outputs/ that is not a .json companion is taken as audio and must decode. */
async function judgeOutputs(root: string): Promise<FileCheck> {
  const entries = await readdir(root, { recursive: true });
  const paths: string[] = [];
  for (const entry of entries) if ((await stat(join(root, entry))).isFile()) paths.push(entry);
  const present = new Set(paths);
  const audio = paths.filter((p) => !p.endsWith(".json"));
  const check: FileCheck = { audio: audio.length, withoutCompanion: [], undecodable: [], orphanCompanions: [] };
  check.withoutCompanion = audio.filter((p) => !present.has(`${p}.json`));
  check.orphanCompanions = paths.filter((p) => p.endsWith(".json") && !present.has(p.slice(0, -".json".length)));
  for (let i = 0; i < audio.length; i += 8) {
    await Promise.all(
      audio.slice(i, i + 8).map(async (p) => {
        try {
          const pcm = await decodeAudio(join(root, p));
          if (pcm.samples.length === 0) check.undecodable.push(p);
        } catch {
          check.undecodable.push(p);
        }
      }),
    );
  }
  return check;
}

function report(outcomes: Outcome[], kills: Kills, wallMs: number, files: FileCheck): string[] {
  const ok = outcomes.filter((o) => o.kind === "ok").length;
  const clean = outcomes.filter((o) => o.kind === "error");
  const hung = outcomes.filter((o) => o.kind === "hung").length;
  const lost = outcomes.filter((o) => o.kind === "lost");
  const malformed = outcomes.filter((o) => o.kind === "malformed");
  const codes = new Map<string, number>();
  for (const o of clean)
    if (o.kind === "error") codes.set(`${o.status} ${o.errorCode}`, (codes.get(`${o.status} ${o.errorCode}`) ?? 0) + 1);
  const restarts = kills.restartMs.map((ms) => (ms / 1000).toFixed(1)).join(", ");
  console.log(
    `\nchaos: ${outcomes.length} requests, ${CONCURRENCY} at once, in ${(wallMs / 1000).toFixed(1)} s; ` +
      `sidecar SIGKILLed ${kills.done} of ${KILLS} times (back to ready after ${restarts || "-"} s)` +
      `${kills.problem ? `; ${kills.problem}` : ""}\n`,
  );
  const mustBeZero: Array<[string, number]> = [
    [`lost (no answer / reset)`, lost.length],
    [`unfinished after ${REQUEST_DEADLINE_MS / 1000} s`, hung],
    ["answers without a clean error body", malformed.length],
    ["audio files without a .json companion", files.withoutCompanion.length],
    ["audio files that do not decode", files.undecodable.length],
  ];
  console.log(
    table(
      ["figure", "value"],
      [
        ["succeeded (200)", ok],
        ["failed with a clean error", clean.length],
        ...[...codes].sort(([a], [b]) => a.localeCompare(b)).map(([code, n]) => [`  ${code}`, n]),
        ["audio files in outputs/", files.audio],
        ["companions without audio", files.orphanCompanions.length],
        ...mustBeZero.map(([name, n]) => [`${name} (must be 0)`, n]),
      ],
    ),
  );
  for (const o of [...lost, ...malformed].slice(0, 5)) console.log(`  e.g. ${JSON.stringify(o)}`);
  for (const p of [...files.withoutCompanion, ...files.undecodable, ...files.orphanCompanions].slice(0, 5)) {
    console.log(`  e.g. file ${p}`);
  }
  const failures = mustBeZero.filter(([, n]) => n !== 0).map(([name, n]) => `chaos: ${name} = ${n}`);
  if (kills.done < KILLS || kills.problem)
    failures.push(`chaos: only ${kills.done} of ${KILLS} kills (${kills.problem ?? "run ended first"})`);
  return failures;
}
