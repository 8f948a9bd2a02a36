/**
 * The post-processing chain's share of a TTS request: the same request (WAV only, the WAV's JSON answer)
 * with silence compaction, trim and EBU loudness on, side by side with them off. Two views of the cost:
 * the stages' own times as each request's companion records them (`generation_info.post_processing[].ms`)
 * over that request's wall time, and the difference between the on and off requests. The aim is a share of
 * at most 10 %; it is reported, not asserted: it depends on the machine.
 */
import type { TestApp } from "../helpers/test-app.js";
import { postJson } from "./http.js";
import { CLIP_SENTENCES } from "./speech.js";
import { row, TABLE_HEADER } from "./table.js";
import { interleavedTimes, median, RUNS } from "./timing.js";

const MAX_SHARE = 0.1;
/** About 30 s of espeak speech. */
const TEXT = CLIP_SENTENCES.join(" ");
const ON = { use_auto_editor: true, trim: true, normalize_audio: true, normalize_method: "ebu" };
const OFF = { use_auto_editor: false, trim: false, normalize_audio: false };

interface Stage {
  name: string;
  ms: number;
  /** The loudness stage's: linear (one gain) or dynamic (loudnorm's compressor, a third ffmpeg pass). */
  normalization_type?: string;
}

interface Companion {
  generation_info: { duration_seconds: number; post_processing: Stage[] };
}

export async function postProcessingBench(app: TestApp): Promise<void> {
  const request = async (fields: object): Promise<string> => {
    const response = await postJson(app, "/api/v1/tts?response_mode=json", {
      text: TEXT,
      seed: 1,
      export_formats: ["wav"],
      ...fields,
    });
    return ((await response.json()) as { output_files: Array<{ url: string }> }).output_files[0]!.url;
  };
  // Untimed: the first request of each kind pays one-off costs (ffmpeg's first start, file caches).
  const offUrl = await request(OFF);
  await request(ON);
  const onUrls: string[] = [];
  const [onTimes, offTimes] = await interleavedTimes([async () => onUrls.push(await request(ON)), () => request(OFF)]);
  const onRuns = await Promise.all(onUrls.map((url) => companion(app, url)));
  const before = (await companion(app, offUrl)).generation_info.duration_seconds;
  const after = onRuns[0]!.generation_info.duration_seconds;
  console.log(
    `\npost-processing: a ${before.toFixed(1)} s TTS request (wav only; ${after.toFixed(1)} s after compaction ` +
      `and trim) with use_auto_editor, trim and normalize_audio (ebu) on vs off; medians of ${RUNS} runs\n`,
  );
  console.log(TABLE_HEADER);
  console.log(row("post-processing: on vs off", ["on", median(onTimes!)], ["off", median(offTimes!)]));
  report(
    onRuns.map((run) => run.generation_info.post_processing),
    onTimes!,
    median(offTimes!),
  );
  // espeak speaks 30 s in about 0.1 s, so any stage is a large share of its request; the cost per minute of
  // audio is what compares with an engine that takes seconds (Chatterbox).
  const stagesMs = median(onRuns.map((run) => run.generation_info.post_processing.reduce((sum, s) => sum + s.ms, 0)));
  console.log(`stages per minute of audio: ${((stagesMs / before) * 60).toFixed(0)} ms`);
}

async function companion(app: TestApp, url: string): Promise<Companion> {
  const response = await fetch(`${app.baseUrl}${url}.json`);
  if (response.status !== 200) throw new Error(`GET ${url}.json failed: ${response.status}`);
  return (await response.json()) as Companion;
}

/** Per-stage medians, the stages' share of their own request (median over runs), and on - off. */
function report(stages: Stage[][], onTimes: number[], off: number): void {
  const names = stages[0]!.map((stage) => stage.name);
  const stageMs = (name: string) => median(stages.map((run) => run.find((s) => s.name === name)?.ms ?? 0));
  console.log(
    `\nstages (medians from the on requests' companions): ` +
      names.map((name) => `${name} ${stageMs(name).toFixed(1)} ms${normalizationNote(stages[0]!, name)}`).join(", "),
  );
  const share = median(stages.map((run, i) => run.reduce((sum, s) => sum + s.ms, 0) / onTimes[i]!));
  const on = median(onTimes);
  console.log(
    `share of the request: stages ${percent(share)} (median per run); ` +
      `on - off ${(on - off).toFixed(0)} ms = ${percent((on - off) / on)} of the on request`,
  );
  const verdict = share <= MAX_SHARE ? "met" : "MISSED";
  console.log(`target (stages <= ${percent(MAX_SHARE)} of the request): ${verdict}`);
}

function normalizationNote(stages: Stage[], name: string): string {
  const type = stages.find((stage) => stage.name === name)?.normalization_type;
  return type === undefined ? "" : ` (${type})`;
}

const percent = (fraction: number) => `${(fraction * 100).toFixed(1)} %`;
