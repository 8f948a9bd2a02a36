/**
 * Long-form jobs (item 12 of main.ts): what the job machinery costs. The same 40-sentence text (unverified,
 * fixed seed, WAV only) is spoken as the synchronous POST /api/v1/tts and as a job (POST /api/v1/jobs, then
 * its event stream read until the job ends), the two in alternating order round after round, each timed from
 * the request to the finished file. The aim is a job at most 5 % slower; it is reported, not asserted: it
 * depends on the machine. The job's WAV is also compared with the synchronous answer, which must be the same
 * bytes.
 *
 * Then what a running job costs the callers it must not lock out: the time to the first audio byte of one short
 * sentence spoken progressively (interactive priority), and for contrast synchronously (standard), with the
 * server idle and while a long job speaks (batch), in alternating order round after round.
 */
import { streamingWavHeader } from "../../src/audio/streaming-wav.js";
import type { TestApp } from "../helpers/test-app.js";
import { postForAudio, postJson } from "./http.js";
import { CLIP_SENTENCES } from "./speech.js";
import { row, TABLE_HEADER } from "./table.js";
import { median, RUNS, timed } from "./timing.js";

const MAX_OVERHEAD = 0.05;
/** 40 sentences of ordinary length: about two and a half minutes of espeak speech. */
const TEXT = Array.from({ length: 5 }, () => CLIP_SENTENCES.join(" ")).join(" ");
const REQUEST = { text: TEXT, seed: 1, bypass_whisper_checking: true, export_formats: ["wav"] };

/** Rounds of the priority measurement: each needs a job started and cancelled, so fewer than RUNS. */
const PRIORITY_RUNS = 5;
/**
 * 1 200 sentences (about 600 segments): more than the first call and two full ones (at most 256 segments
 * each), so the job is still in the middle of a long call when both measured requests arrive. 300 would not
 * do with espeak: the whole job is then shorter than one call of 5 s.
 */
const LONG_JOB_SENTENCES = 1200;
const LONG_JOB = {
  text: Array.from({ length: LONG_JOB_SENTENCES }, (_, i) => CLIP_SENTENCES[i % CLIP_SENTENCES.length]).join(" "),
  engine: "espeak",
  seed: 1,
  bypass_whisper_checking: true,
  export_formats: ["wav"],
};
/** One short sentence, as WAV: its own speaking takes little, so its time to first audio is mostly the wait. */
const SHORT = {
  text: "Is the kettle on yet?",
  engine: "espeak",
  seed: 1,
  bypass_whisper_checking: true,
  export_formats: ["wav"],
};
/** Progressive speech is the interactive caller (docs/api/tts.md); the plain request is standard priority. */
const INTERACTIVE_PATH = "/api/v1/tts?response_mode=stream&progressive=true";
const STANDARD_PATH = "/api/v1/tts";
/**
 * A job's first engine call is a fixed 4 segments (docs/configuration.md, jobs.call_seconds); the calls after
 * it are sized to call_seconds, which is what a caller waits behind in the long run.
 */
const FIRST_CALL_SEGMENTS = 4;
const WAV_HEADER_BYTES = streamingWavHeader(24_000).length;

interface JobView {
  id: string;
  state: string;
  segments_done: number;
  segments_total: number;
  result: { files: Record<string, string> } | null;
}

export async function jobsBench(app: TestApp): Promise<void> {
  const sync = () => postForAudio(app, "/api/v1/tts", REQUEST);
  // Untimed: the first request of each kind pays one-off costs (file caches, the first prepared statements).
  const syncAudio = Buffer.from(await sync());
  const first = await runJob(app);
  const jobTimes: number[] = [];
  const syncTimes: number[] = [];
  for (let round = 0; round < RUNS; round += 1) {
    // Alternating which goes first, so neither always runs on a machine just warmed (or tired) by the other.
    const order = round % 2 === 0 ? ["sync", "job"] : ["job", "sync"];
    for (const side of order) {
      if (side === "sync") syncTimes.push(await timed(sync));
      else jobTimes.push(await timed(() => runJob(app)));
    }
  }
  const jobAudio = await download(app, first.result!.files.wav!);
  const job = median(jobTimes);
  const direct = median(syncTimes);
  const overhead = job / direct - 1;
  console.log(
    `\njobs: a ${CLIP_SENTENCES.length * 5}-sentence text (${first.segments_total} segments, wav only, unverified, ` +
      `seed 1) as POST /api/v1/jobs until done vs the synchronous POST /api/v1/tts; medians of ${RUNS} rounds, ` +
      `alternating order\n`,
  );
  console.log(TABLE_HEADER);
  console.log(row("jobs: job vs synchronous /api/v1/tts", ["job", job], ["sync", direct]));
  console.log(
    `\nA job speaks its segments in engine calls of about jobs.call_seconds (${app.config.jobs.callSeconds} s; 4 ` +
      `segments in the first) and stores each one as it is final; the synchronous request sends all in one stream.`,
  );
  console.log(`the job's WAV is the synchronous answer's bytes: ${jobAudio.equals(syncAudio) ? "yes" : "NO"}`);
  const verdict = overhead <= MAX_OVERHEAD ? "met" : "MISSED";
  console.log(`target (job <= sync + ${percent(MAX_OVERHEAD)}): ${percent(overhead)} more, ${verdict}`);
  await priorityBench(app);
}

interface FirstBytes {
  interactive: number;
  standard: number;
}

/**
 * Time to first audio byte of the short sentence, interactive and standard, idle vs behind a running job. Every
 * job is met just after its second call (the first full-sized one) began, so the busy times are about the
 * longest wait, one whole call, rather than the average a request arriving at any moment would see.
 */
async function priorityBench(app: TestApp): Promise<void> {
  // Untimed: the first of each pays one-off costs (the encoder's start, the first prepared statements).
  await bothFirstBytes(app, 0);
  await whileJobRuns(app, () => bothFirstBytes(app, 0));
  const idle: FirstBytes[] = [];
  const busy: FirstBytes[] = [];
  for (let round = 0; round < PRIORITY_RUNS; round += 1) {
    // Alternating, as above; the order of the two requests within a side alternates too, since the second
    // one meets the job at another point of its call.
    const sides = round % 2 === 0 ? ["idle", "busy"] : ["busy", "idle"];
    for (const side of sides) {
      if (side === "idle") idle.push(await bothFirstBytes(app, round));
      else busy.push(await whileJobRuns(app, () => bothFirstBytes(app, round)));
    }
  }
  const medians = (runs: FirstBytes[]) => ({
    interactive: median(runs.map((r) => r.interactive)),
    standard: median(runs.map((r) => r.standard)),
  });
  const [quiet, loaded] = [medians(idle), medians(busy)];
  console.log(
    `\njobs: time to first audio byte of one short sentence (espeak, unverified, wav): progressive (interactive) ` +
      `and synchronous (standard), while a ${LONG_JOB_SENTENCES}-sentence TTS job runs (met just after its ` +
      `second call began) vs with the server idle; medians of ${PRIORITY_RUNS} rounds, alternating order\n`,
  );
  console.log(TABLE_HEADER);
  console.log(
    row("interactive (progressive) during a job vs idle", ["job", loaded.interactive], ["idle", quiet.interactive]),
  );
  console.log(row("standard (synchronous) during a job vs idle", ["job", loaded.standard], ["idle", quiet.standard]));
  console.log(
    row("during a job: interactive vs standard", ["interactive", loaded.interactive], ["standard", loaded.standard]),
  );
  const worst = Math.max(...busy.map((r) => r.interactive));
  console.log(
    `\njobs.call_seconds in force: ${app.config.jobs.callSeconds} s. A job's engine call gives way between its ` +
      `segments to queued calls of higher priority, so a request waits for at most the segment being spoken, ` +
      `not the rest of the call (worst interactive first audio here: ${worst.toFixed(0)} ms).`,
  );
}

/** Both first bytes, one request after the other, the order alternating with `round`. */
async function bothFirstBytes(app: TestApp, round: number): Promise<FirstBytes> {
  if (round % 2 === 0) {
    const interactive = await firstByte(app, INTERACTIVE_PATH);
    return { interactive, standard: await firstByte(app, STANDARD_PATH) };
  }
  const standard = await firstByte(app, STANDARD_PATH);
  return { interactive: await firstByte(app, INTERACTIVE_PATH), standard };
}

/**
 * Milliseconds from the request to the first byte of audio: past the WAV header, which a progressive answer
 * sends before any speech. The body is read to its end, so that the request is over before the next starts.
 */
async function firstByte(app: TestApp, path: string): Promise<number> {
  const started = performance.now();
  const reader = (await postJson(app, path, SHORT)).body!.getReader();
  let received = 0;
  let first = 0;
  for (let read = await reader.read(); !read.done; read = await reader.read()) {
    received += read.value.length;
    if (received > WAV_HEADER_BYTES) first ||= performance.now() - started;
  }
  if (!first) throw new Error(`POST ${path} answered no audio`);
  return first;
}

/**
 * Runs `measure` while the long job is speaking past its first call, then cancels the job. Each run has a job
 * of its own, so each meets a job at the same point: just into a full-sized call.
 */
async function whileJobRuns<T>(app: TestApp, measure: () => Promise<T>): Promise<T> {
  const { id } = await submit(app, LONG_JOB);
  try {
    await progressPast(app, id, FIRST_CALL_SEGMENTS);
    return await measure();
  } finally {
    await cancel(app, id);
  }
}

/** Reads the job's event stream until a progress event counts more than `segments` done. */
async function progressPast(app: TestApp, id: string, segments: number): Promise<void> {
  const abort = new AbortController();
  const events = await fetch(`${app.baseUrl}/api/v1/jobs/${id}/events`, { signal: abort.signal });
  const reader = events.body!.pipeThrough(new TextDecoderStream()).getReader();
  let stream = "";
  try {
    for (let read = await reader.read(); !read.done; read = await reader.read()) {
      stream += read.value;
      const progress = [...stream.matchAll(/event: progress\ndata: (.*)\n/g)].at(-1);
      if (progress && (JSON.parse(progress[1]!) as JobView).segments_done > segments) return;
    }
  } finally {
    abort.abort();
  }
  throw new Error(`job ${id} ended before ${segments} segments were done:\n${stream}`);
}

/** Cancels the job; a job that had already ended (409) would mean the measurement did not run behind it. */
async function cancel(app: TestApp, id: string): Promise<void> {
  const response = await fetch(`${app.baseUrl}/api/v1/jobs/${id}/cancel`, { method: "POST" });
  if (response.status !== 200)
    throw new Error(`cancelling job ${id} failed: ${response.status} ${await response.text()}`);
}

/** Submits the job and reads its event stream, which ends when the job does; the job must have succeeded. */
async function runJob(app: TestApp): Promise<JobView> {
  const { id } = await submit(app, REQUEST);
  const events = await fetch(`${app.baseUrl}/api/v1/jobs/${id}/events`);
  const stream = await events.text();
  const job = (await (await fetch(`${app.baseUrl}/api/v1/jobs/${id}`)).json()) as JobView;
  if (job.state !== "succeeded" || !stream.includes("event: done")) {
    throw new Error(`job ${id} ended ${job.state}:\n${stream}`);
  }
  return job;
}

/** POST /api/v1/jobs of a TTS job; the job as first answered (202). */
async function submit(app: TestApp, request: object): Promise<JobView> {
  const submitted = await fetch(`${app.baseUrl}/api/v1/jobs`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ type: "tts", request }),
  });
  if (submitted.status !== 202) {
    throw new Error(`POST /api/v1/jobs failed: ${submitted.status} ${await submitted.text()}`);
  }
  return (await submitted.json()) as JobView;
}

async function download(app: TestApp, path: string): Promise<Buffer> {
  const response = await fetch(`${app.baseUrl}/outputs/${path}`);
  if (response.status !== 200) throw new Error(`GET /outputs/${path} failed: ${response.status}`);
  return Buffer.from(await response.arrayBuffer());
}

const percent = (fraction: number) => `${(fraction * 100).toFixed(1)} %`;
