/**
 * `npm run bench`: speed ratios measured side by side in one run, against the real sidecar with the espeak
 * engine (the engine this machine has). Absolute times depend on the machine; the ratios are what to compare.
 *
 * 1. streaming: time to the first audio chunk vs the whole SynthesizeStream of a 12-sentence text;
 * 2. HTTP overhead: POST /api/v1/tts (WAV only) vs the same segments straight through the gRPC client;
 * 3. export: WAV + MP3 + FLAC vs WAV only, through HTTP;
 * 4. stretch: TimeStretch throughput (audio seconds per wall second) of each library the model reports, on
 *    a 60 s clip of speech at 0.5x, 1.5x and 4x (stretch.ts);
 * 5. VC: POST /api/v1/vc on a 60 s source vs the backend's convert alone on the same audio, with the
 *    throughput of each (vc.ts);
 * 6. post-processing: a ~30 s TTS request with compaction, trim and loudness on vs off, and the stages'
 *    share of the request from their companion timings, against the 10 % aim (post-processing.ts);
 * 7. speech recognition: the real-time factor of each installed Whisper model on a 60 s clip, and verified
 *    TTS (every chunk transcribed and scored) vs the same request unverified (stt.ts);
 * 8. library: start to ready and GET /api/v1/outputs from the index vs a directory walk (library.ts);
 * 9. concat: our streaming join vs ffmpeg's concat demuxer on 1 000 one-second and 3 × 60-minute clips, wall
 *    time and peak RSS of each (concat.ts);
 * 10. progressive speech: time to first audio vs the whole for 2 000 characters through /v1/audio/speech (pcm,
 *    mp3) and the realtime WebSocket, and /v1/audio/speech vs direct gRPC (openai-speech.ts);
 * 11. engines: Piper's real-time factor and time to first audio beside espeak's (engines.ts);
 * 12. jobs: a 40-sentence TTS job until done vs the same synchronous POST /api/v1/tts, against the 5 % aim,
 *    and whether the two WAVs are the same bytes; then the time to first audio of one short sentence,
 *    progressive (interactive) and synchronous (standard), while a long job runs vs idle (jobs.ts).
 */
import type { InferenceBackend, ModelInfo } from "../../src/domain/inference.js";
import { segmentText } from "../../src/text/segment.js";
import { realSidecarSupervisor } from "../helpers/real-sidecar.js";
import { makeDataDir, startTestApp, type TestApp } from "../helpers/test-app.js";
import { concatBench } from "./concat.js";
import { engineBench, streamTimes } from "./engines.js";
import { postForAudio } from "./http.js";
import { jobsBench } from "./jobs.js";
import { libraryBench } from "./library.js";
import { openAiSpeechBench } from "./openai-speech.js";
import { postProcessingBench } from "./post-processing.js";
import { collectSpeech } from "../helpers/collect-speech.js";
import { speechClip } from "./speech.js";
import { stretchBench } from "./stretch.js";
import { sttBench } from "./stt.js";
import { row, TABLE_HEADER } from "./table.js";
import { median, RUNS, sideBySide } from "./timing.js";
import { vcBench } from "./vc.js";

const TEXT = Array.from({ length: 12 }, (_, i) => `This is sentence number ${i + 1} of the benchmark text.`).join(" ");
/** Long enough that per-call costs (gRPC, process start-up of sox) fade next to the work itself. */
const CLIP_SECONDS = 60;

/** Items 1-3: one table, the 12-sentence text throughout. */
async function synthesisBench(app: TestApp, backend: InferenceBackend, info: ModelInfo): Promise<void> {
  const texts = segmentText(TEXT, { smartBatchShortSentences: false });
  const streams = [];
  for (let run = 0; run < RUNS; run += 1) streams.push(await streamTimes(backend, texts));
  const first = median(streams.map((s) => s.first));
  const total = median(streams.map((s) => s.total));
  const body = { text: TEXT, seed: 1, smart_batch_short_sentences: false };
  const [http, direct] = await sideBySide(
    () => postForAudio(app, "/api/v1/tts", { ...body, export_formats: ["wav"] }),
    () => collectSpeech(backend, texts),
  );
  const [allFormats, wavOnly] = await sideBySide(
    () => postForAudio(app, "/api/v1/tts", { ...body, export_formats: ["wav", "mp3", "flac"] }),
    () => postForAudio(app, "/api/v1/tts", { ...body, export_formats: ["wav"] }),
  );
  const speech = await collectSpeech(backend, texts);
  console.log(
    `engine ${info.engine} (${info.engineVersion}) on ${info.device}; ${texts.length} segments, ` +
      `${(speech.samples.length / speech.sampleRate).toFixed(1)} s of audio; medians of ${RUNS} runs\n`,
  );
  console.log(TABLE_HEADER);
  console.log(row("streaming: first audio vs whole stream", ["first chunk", first], ["whole", total]));
  console.log(row("HTTP overhead: /api/v1/tts (wav) vs direct gRPC", ["HTTP", http], ["gRPC", direct]));
  console.log(row("export: wav+mp3+flac vs wav", ["3 formats", allFormats], ["wav", wavOnly]));
}

async function main(): Promise<void> {
  const data = await makeDataDir();
  const supervisor = realSidecarSupervisor(data.config);
  const info = (await supervisor.start()).default;
  const app = await startTestApp({ backend: supervisor.backend, data, health: supervisor });
  try {
    const backend = supervisor.backend;
    await synthesisBench(app, backend, info);
    await openAiSpeechBench(app, backend, await app.services.tts.segmentLimit());
    await engineBench(backend, segmentText(TEXT, { smartBatchShortSentences: false }));
    const clip = await speechClip(backend, CLIP_SECONDS);
    await stretchBench(backend, clip);
    await vcBench(app, backend, clip);
    await postProcessingBench(app);
    await jobsBench(app);
    await sttBench(app, backend, clip);
  } finally {
    await app.dispose();
    await supervisor.stop();
  }
}

const started = performance.now();
await main();
await libraryBench();
await concatBench();
console.log(`\nbench took ${((performance.now() - started) / 1000).toFixed(0)} s`);
