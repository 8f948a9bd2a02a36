/**
 * Long-form jobs (item 12 of main.ts): what the job machinery costs. The same 40-sentence text (unverified,
 * fixed seed, WAV only) is spoken as the synchronous POST /api/v1/tts and as a job (POST /api/v1/jobs, then
 * its event stream read until the job ends), the two in alternating order round after round, each timed from
 * the request to the finished file. The aim is a job at most 5 % slower; it is reported, not asserted: it
 * depends on the machine. The job's WAV is also compared with the synchronous answer, which must be the same
 * bytes.
 */
import type { TestApp } from "../helpers/test-app.js";
import { postForAudio } from "./http.js";
import { CLIP_SENTENCES } from "./speech.js";
import { row, TABLE_HEADER } from "./table.js";
import { median, RUNS, timed } from "./timing.js";

const MAX_OVERHEAD = 0.05;
/** 40 sentences of ordinary length: about two and a half minutes of espeak speech. */
const TEXT = Array.from({ length: 5 }, () => CLIP_SENTENCES.join(" ")).join(" ");
const REQUEST = { text: TEXT, seed: 1, bypass_whisper_checking: true, export_formats: ["wav"] };

interface JobView {
  id: string;
  state: string;
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
}

/** Submits the job and reads its event stream, which ends when the job does; the job must have succeeded. */
async function runJob(app: TestApp): Promise<JobView> {
  const submitted = await fetch(`${app.baseUrl}/api/v1/jobs`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ type: "tts", request: REQUEST }),
  });
  if (submitted.status !== 202) {
    throw new Error(`POST /api/v1/jobs failed: ${submitted.status} ${await submitted.text()}`);
  }
  const { id } = (await submitted.json()) as JobView;
  const events = await fetch(`${app.baseUrl}/api/v1/jobs/${id}/events`);
  const stream = await events.text();
  const job = (await (await fetch(`${app.baseUrl}/api/v1/jobs/${id}`)).json()) as JobView;
  if (job.state !== "succeeded" || !stream.includes("event: done")) {
    throw new Error(`job ${id} ended ${job.state}:\n${stream}`);
  }
  return job;
}

async function download(app: TestApp, path: string): Promise<Buffer> {
  const response = await fetch(`${app.baseUrl}/outputs/${path}`);
  if (response.status !== 200) throw new Error(`GET /outputs/${path} failed: ${response.status}`);
  return Buffer.from(await response.arrayBuffer());
}

const percent = (fraction: number) => `${(fraction * 100).toFixed(1)} %`;
