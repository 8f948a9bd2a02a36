/** The app over the real sidecar (espeak engine) for one test file, and espeak-ng recordings made outside it. */
import { writeFile } from "node:fs/promises";
import { execa } from "execa";
import type { AppConfig } from "../../src/config/app-config.js";
import type { MonoPcm } from "../../src/domain/audio.js";
import type { EngineChoice, InferenceBackend } from "../../src/domain/inference.js";
import { decodeAudio } from "./audio-file.js";
import { realSidecarSupervisor } from "./real-sidecar.js";
import { makeDataDir, startTestApp, type TestApp } from "./test-app.js";

export interface EspeakApp {
  app: TestApp;
  /** The supervised sidecar the app calls, for tests that also call it directly. */
  backend: InferenceBackend;
  stop(): Promise<void>;
}

/**
 * Starts the sidecar and the app; `prepare` fills the data folders first (the library indexes them at start).
 * `yaml` adds config; TTS skips Whisper validation unless it sets `tts_defaults:` (see makeDataDir).
 */
export function startEspeakApp(
  prepare: (config: AppConfig) => Promise<void> = async () => {},
  yaml = "",
): Promise<EspeakApp> {
  return startEngineApp("espeak", prepare, yaml);
}

/** The same over another engine of the real sidecar (piper: the voice `npm install` put in models/piper). */
export async function startEngineApp(
  engine: EngineChoice,
  prepare: (config: AppConfig) => Promise<void> = async () => {},
  yaml = "",
): Promise<EspeakApp> {
  const data = await makeDataDir(`inference:\n  allow_download: false\n${yaml}`);
  await prepare(data.config);
  const supervisor = realSidecarSupervisor(data.config, {}, engine);
  await supervisor.start();
  try {
    const app = await startTestApp({ backend: supervisor.backend, data, health: supervisor });
    return { app, backend: supervisor.backend, stop: () => app.dispose().finally(() => supervisor.stop()) };
  } catch (error) {
    await supervisor.stop();
    throw error;
  }
}

/** What the espeak-ng program says with `args` (voice, pitch), written to `path` and decoded. */
export async function espeakRecording(args: string[], text: string, path: string): Promise<MonoPcm> {
  const { stdout } = await execa("espeak-ng", [...args, "--stdout", text], { encoding: "buffer" });
  await writeFile(path, stdout);
  return decodeAudio(path);
}

/** Six sentences: spoken one segment each, they are separated by espeak's ~0.3 s of silence. */
export const PARAGRAPH =
  "The storm passed over the hills at night. By morning, the river had risen, and the bridge was closed. " +
  "Farmers waited. Children watched the water from the school windows. Then, slowly, the level fell. " +
  "By evening the road was open again.";
