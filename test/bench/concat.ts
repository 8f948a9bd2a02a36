/**
 * The concatenation benchmark (part of `npm run bench`; alone: `node dist/test/bench/concat.js`). Two joins of
 * 24 kHz mono 16-bit WAV clips, each done by our streaming join and by `ffmpeg -f concat … -c:a pcm_f32le`
 * on the same inputs, in turn, in the same run:
 *
 * 1. 1 000 one-second clips (tone + noise, built in code);
 * 2. three 60-minute clips (tone + noise, built by ffmpeg).
 *
 * Each side runs in its own process, so its peak RSS is its own: our join in a child node process that reads
 * `process.resourceUsage().maxRSS` at its end (this file with `--join <spec.json>`), ffmpeg under
 * `/usr/bin/time` (or, where that is not installed, a wrapper in the sidecar's python reading RUSAGE_CHILDREN).
 * Wall times are taken by this process from spawn to exit for both. Aims: at most 1.5× ffmpeg's time, peak RSS
 * under 300 MB.
 */
import { execa } from "execa";
import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { concatenate } from "../../src/audio/concat/concatenate.js";
import type { ConcatItem } from "../../src/audio/concat/types.js";
import { buildS16Wav, noise, sine } from "../helpers/wav-builder.js";
import { median } from "./timing.js";

const RATE = 24000;
const SHORT_CLIPS = 1000;
const LONG_CLIPS = 3;
const LONG_SECONDS = 3600;
/** Interleaved runs per side; the long join writes a gigabyte per run, so it gets fewer. */
const SHORT_RUNS = 5;
const LONG_RUNS = 3;
const MAX_TIME_RATIO = 1.5;
const MAX_RSS_MB = 300;

/** What the child join is told (a JSON file) and what it prints back (a JSON line). */
interface JoinSpec {
  paths: string[];
  masterPath: string;
  scratchDir: string;
}
interface Run {
  ms: number;
  rssMb: number;
  frames: number;
}

export async function concatBench(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), "concat-bench-"));
  try {
    console.log(`\nconcat: our streaming join vs ffmpeg's concat demuxer, each in its own process, in turn\n`);
    console.log("| join | runs | ours | ffmpeg | ours / ffmpeg |\n|---|---|---|---|---|");
    const short = await compare(dir, `${SHORT_CLIPS} × 1 s`, await shortClips(dir), SHORT_RUNS);
    const long = await compare(dir, `${LONG_CLIPS} × 60 min`, await longClips(dir), LONG_RUNS);
    for (const [name, result] of [short, long] as const) {
      const verdict = result.timeRatio <= MAX_TIME_RATIO && result.rssMb < MAX_RSS_MB ? "met" : "MISSED";
      console.log(
        `${name}: aims (time ≤ ${MAX_TIME_RATIO}× ffmpeg, peak RSS < ${MAX_RSS_MB} MB) ${verdict}: ` +
          `${result.timeRatio.toFixed(2)}×, ${result.rssMb.toFixed(0)} MB`,
      );
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function shortClips(dir: string): Promise<string[]> {
  const paths: string[] = [];
  for (let i = 0; i < SHORT_CLIPS; i++) {
    const tone = sine({ freq: 150 + (i % 50) * 5, seconds: 1, sampleRate: RATE, amplitude: 0.3 });
    const hiss = noise({ seconds: 1, sampleRate: RATE, amplitude: 0.02, seed: i + 1 });
    const path = join(dir, `short-${i}.wav`);
    await writeFile(path, buildS16Wav({ sampleRate: RATE, samples: tone.map((x, k) => x + hiss[k]!) }));
    paths.push(path);
  }
  return paths;
}

async function longClips(dir: string): Promise<string[]> {
  const paths: string[] = [];
  for (let i = 0; i < LONG_CLIPS; i++) {
    const path = join(dir, `long-${i}.wav`);
    const source = (filter: string) => ["-f", "lavfi", "-i", `${filter}:sample_rate=${RATE}:duration=${LONG_SECONDS}`];
    await execa("ffmpeg", [
      ...["-v", "error", "-y"],
      ...source(`sine=frequency=${180 + 40 * i}`),
      ...source(`anoisesrc=amplitude=0.03:seed=${i + 1}`),
      ...["-filter_complex", "[0][1]amix=inputs=2:normalize=0", "-ac", "1", "-c:a", "pcm_s16le", path],
    ]);
    paths.push(path);
  }
  return paths;
}

interface Comparison {
  timeRatio: number;
  rssMb: number;
}

/** Both joins of `paths`, `runs` times each in turn; prints two table rows (time, peak RSS). */
async function compare(dir: string, name: string, paths: string[], runs: number): Promise<[string, Comparison]> {
  const list = join(dir, "list.txt");
  await writeFile(list, paths.map((path) => `file '${path}'\n`).join(""));
  const spec: JoinSpec = { paths, masterPath: join(dir, "ours.wav"), scratchDir: dir };
  const specPath = join(dir, "spec.json");
  await writeFile(specPath, JSON.stringify(spec));
  const ours: Run[] = [];
  const theirs: Run[] = [];
  for (let run = 0; run < runs; run++) {
    ours.push(await ourJoin(specPath));
    theirs.push(await ffmpegJoin(list, join(dir, "ffmpeg.wav")));
    if (ours[run]!.frames !== theirs[run]!.frames) {
      throw new Error(`${name}: our master has ${ours[run]!.frames} frames, ffmpeg's ${theirs[run]!.frames}`);
    }
    await rm(spec.masterPath, { force: true });
    await rm(join(dir, "ffmpeg.wav"), { force: true });
  }
  const time = [median(ours.map((r) => r.ms)), median(theirs.map((r) => r.ms))] as const;
  const rss = [Math.max(...ours.map((r) => r.rssMb)), Math.max(...theirs.map((r) => r.rssMb))] as const;
  console.log(
    `| ${name}: wall time (median) | ${runs} | ${time[0].toFixed(0)} ms | ${time[1].toFixed(0)} ms | ${(time[0] / time[1]).toFixed(2)} |`,
  );
  console.log(
    `| ${name}: peak RSS (max) | ${runs} | ${rss[0].toFixed(0)} MB | ${rss[1].toFixed(0)} MB | ${(rss[0] / rss[1]).toFixed(2)} |`,
  );
  return [name, { timeRatio: time[0] / time[1], rssMb: rss[0] }];
}

async function ourJoin(specPath: string): Promise<Run> {
  const started = performance.now();
  const { stdout } = await execa(process.execPath, [fileURLToPath(import.meta.url), "--join", specPath]);
  const ms = performance.now() - started;
  const child = JSON.parse(stdout) as { rssKb: number; frames: number };
  return { ms, rssMb: child.rssKb / 1024, frames: child.frames };
}

async function ffmpegJoin(list: string, output: string): Promise<Run> {
  const ffmpeg = ["ffmpeg", "-v", "error", "-y", "-f", "concat", "-safe", "0", "-i", list, "-c:a", "pcm_f32le", output];
  const started = performance.now();
  const rssKb = await peakRssKb(ffmpeg);
  const ms = performance.now() - started;
  const probe = await execa("ffprobe", [
    "-v",
    "error",
    "-show_entries",
    "stream=duration_ts",
    "-of",
    "csv=p=0",
    output,
  ]);
  return { ms, rssMb: rssKb / 1024, frames: Number(probe.stdout.trim()) };
}

/** Runs `command` and returns its peak RSS in KiB, as the kernel accounts it to the waiting parent. */
async function peakRssKb(command: string[]): Promise<number> {
  if (existsSync("/usr/bin/time")) {
    const { stderr } = await execa("/usr/bin/time", ["-f", "peak-rss-kb %M", ...command]);
    return Number(/peak-rss-kb (\d+)/.exec(stderr)?.[1]);
  }
  const wrapper =
    "import resource, subprocess, sys; subprocess.run(sys.argv[1:], check=True); " +
    "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)";
  const python = fileURLToPath(new URL("../../../sidecar/.venv/bin/python", import.meta.url)); // from dist/test/bench
  const { stdout } = await execa(python, ["-c", wrapper, ...command]);
  return Number(stdout.trim());
}

/** The child's side: one plain join (no levelling, trim, pauses or crossfades: what ffmpeg's concat does). */
async function joinFromSpec(specPath: string): Promise<void> {
  const spec = JSON.parse(await readFile(specPath, "utf8")) as JoinSpec;
  const items: ConcatItem[] = spec.paths.map((path, i) => ({ kind: "clip", path, label: `clip ${i}` }));
  const report = await concatenate({ items, normalizeLevels: false, crossfadeMs: 0, ...spec });
  console.log(JSON.stringify({ rssKb: process.resourceUsage().maxRSS, frames: report.frames }));
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  if (process.argv[2] === "--join") await joinFromSpec(process.argv[3]!);
  else await concatBench();
}
