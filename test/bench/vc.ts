/**
 * Voice-conversion throughput with espeak's signal-level WORLD conversion: POST /api/v1/vc (JSON body
 * naming a vc_inputs/ source and a reference_audio/ target, WAV export, the WAV streamed back) side by side
 * with the backend's convert alone on the same samples and target. The ratio is what the server adds:
 * resolving the names, decoding the source with ffmpeg, encoding and publishing the WAV and its companion.
 */
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { encodeWav } from "../../src/audio/wav.js";
import type { MonoPcm } from "../../src/domain/audio.js";
import type { InferenceBackend } from "../../src/domain/inference.js";
import type { TestApp } from "../helpers/test-app.js";
import { postForAudio } from "./http.js";
import { row, TABLE_HEADER, throughput } from "./table.js";
import { sideBySide } from "./timing.js";

const SOURCE_NAME = "bench-source.wav";
const TARGET_NAME = "bench-target.wav";
/** A conversion of a minute of audio takes seconds: five runs keep the wait near a minute. */
const RUNS = 5;
const TARGET_SECONDS = 5;
/** The target is espeak's own voice this much higher: a different voice the conversion must really move to. */
const TARGET_SEMITONES = 7;

export async function vcBench(app: TestApp, backend: InferenceBackend, clip: MonoPcm): Promise<void> {
  const targetPath = await writeSources(app, backend, clip);
  const body = {
    input_audio_source: SOURCE_NAME,
    target_voice_source: TARGET_NAME,
    export_formats: ["wav"],
    // Off whatever the defaults say: post-processing has its own measurement (post-processing.ts).
    use_auto_editor: false,
    trim: false,
    normalize_audio: false,
  };
  const viaHttp = () => postForAudio(app, "/api/v1/vc", body);
  const direct = () => backend.convert({ source: { pcm: clip }, targetVoice: { path: targetPath } });
  // Untimed: the engine caches the target's voice profile on first use, which neither side should pay.
  await viaHttp();
  const [http, convert] = await sideBySide(viaHttp, direct, RUNS);
  const seconds = clip.samples.length / clip.sampleRate;
  console.log(
    `\nvc: a ${seconds.toFixed(1)} s espeak source toward espeak's voice +${TARGET_SEMITONES} semitones ` +
      `(signal-level WORLD conversion, one chunk); medians of ${RUNS} runs\n`,
  );
  console.log(TABLE_HEADER);
  console.log(row("vc: POST /api/v1/vc (wav) vs backend.convert alone", ["HTTP", http], ["convert", convert]));
  console.log(
    `\nvc throughput (source seconds per wall second): HTTP ${throughput(seconds, http)}, ` +
      `convert alone ${throughput(seconds, convert)}`,
  );
}

/** Puts the source into vc_inputs/ and a target voice into reference_audio/; returns the target's path. */
async function writeSources(app: TestApp, backend: InferenceBackend, clip: MonoPcm): Promise<string> {
  const piece = { sampleRate: clip.sampleRate, samples: clip.samples.subarray(0, TARGET_SECONDS * clip.sampleRate) };
  const target = await backend.convert({ source: { pcm: piece }, pitchShiftSemitones: TARGET_SEMITONES });
  const targetPath = join(app.config.paths.referenceAudio, TARGET_NAME);
  await writeFile(join(app.config.paths.vcInputs, SOURCE_NAME), encodeWav(clip));
  await writeFile(targetPath, encodeWav(target.audio));
  return targetPath;
}
