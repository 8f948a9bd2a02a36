/**
 * Builds the real Koa app over temp data folders with a given inference backend and health source, the
 * way main.ts wires it (the realtime WebSocket included), for HTTP tests.
 */
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import type Koa from "koa";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createApp } from "../../src/app.js";
import type { AppConfig } from "../../src/config/app-config.js";
import { loadConfig } from "../../src/config/load-config.js";
import type { InferenceBackend } from "../../src/domain/inference.js";
import { HttpDrain } from "../../src/http/middleware/http-drain.js";
import { attachRealtimeEndpoint } from "../../src/http/realtime/realtime-endpoint.js";
import { createRootLogger, type Logger } from "../../src/logging.js";
import { createAppMetrics } from "../../src/services/metrics/app-metrics.js";
import { createJobRequestParsers } from "../../src/http/schemas/job-request.js";
import { createServices, type Services } from "../../src/services/create-services.js";
import { createHealthReporter, type HealthSource } from "../../src/services/health-service.js";
import { serve, type TestServer } from "./test-server.js";

export interface TestApp extends TestServer {
  dir: string;
  config: AppConfig;
  services: Services;
  /** The app's graceful-shutdown gate, as main.ts drives it. */
  drain: HttpDrain;
  /** Removes the server and the temp folders. */
  dispose(): Promise<void>;
}

export interface TestAppOptions {
  backend: InferenceBackend;
  /** Defaults to an always-ready source reporting the backend's model info. */
  health?: HealthSource;
  /** Extra config.yaml text. */
  yaml?: string;
  /** An existing data folder (from makeDataDir) instead of a new one. */
  data?: { dir: string; config: AppConfig };
  /** The app's logger; by default a silent one. */
  log?: Logger;
}

/**
 * TTS requests skip Whisper validation unless a test asks for it: verification would transcribe every chunk
 * and change what tests about other features observe. A test about verification sets its own
 * `tts_defaults:` section in `yaml`, which then replaces this one.
 */
const UNVERIFIED_TTS = "tts_defaults:\n  bypass_whisper_checking: true\n";

/** A temp folder with config.yaml, outputs/, reference_audio/ and temp/. */
export async function makeDataDir(yaml = ""): Promise<{ dir: string; config: AppConfig }> {
  const dir = await mkdtemp(join(tmpdir(), "tts-app-"));
  const ttsDefaults = /^tts_defaults:/m.test(yaml) ? "" : UNVERIFIED_TTS;
  await writeFile(join(dir, "config.yaml"), `paths:\n  temp: temp\n${ttsDefaults}${yaml}`);
  const config = loadConfig({ path: join(dir, "config.yaml"), env: {} });
  const { outputs, referenceAudio, vcInputs, temp } = config.paths;
  await Promise.all([outputs, referenceAudio, vcInputs, temp].map((d) => mkdir(d, { recursive: true })));
  return { dir, config };
}

export async function startTestApp({ backend, health, yaml, data, log }: TestAppOptions): Promise<TestApp> {
  const { dir, config } = data ?? (await makeDataDir(yaml));
  log ??= createRootLogger("silent");
  const source = health ?? (await readySource(backend));
  const metrics = createAppMetrics(source);
  const services = createServices(config, metrics.meter(backend), log, createJobRequestParsers(config));
  await services.library.start();
  services.jobs.start();
  const report = createHealthReporter({
    sidecar: source,
    library: services.library,
    version: "test",
    startedAt: Date.now(),
    maxSegmentChars: config.inference.maxSegmentChars,
  });
  const drain = new HttpDrain();
  const app = createApp({ config, log, version: "test", services, health: report, sidecar: source, drain, metrics });
  const served = await serve(app);
  // Served as main.ts serves it; its sessions close first (the HTTP server waits for upgraded sockets).
  const realtime = attachRealtimeEndpoint(served.server, {
    tts: services.tts,
    voices: services.voiceResolver,
    config,
    keys: services.keys,
    usage: services.usage,
    limiter: services.limiter,
    metrics: metrics.realtime,
    log,
  });
  const server = { ...served, close: () => realtime.close().then(() => served.close()) };
  return {
    ...server,
    dir,
    config,
    services,
    drain,
    dispose: async () => {
      await server.close();
      await services.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** A sidecar that is ready and holds the backend's engines, for apps a test builds itself. */
export async function readySource(backend: InferenceBackend): Promise<HealthSource> {
  const engines = await backend.engines();
  return {
    backend,
    snapshot: () => ({
      state: "ready",
      pid: 1,
      address: "127.0.0.1:1",
      restarts: 0,
      lastExit: null,
      lastStartFailure: null,
      nextAttemptAt: null,
      startedAt: new Date().toISOString(),
      engines,
      loadWarnings: [],
    }),
  };
}

/**
 * The Koa app over services a test built and started itself (or not yet: a library still walking), not served;
 * its health route is not expected to be asked.
 */
export function appOver(config: AppConfig, services: Services, sidecar: HealthSource, log?: Logger): Koa {
  return createApp({
    config,
    log: log ?? createRootLogger("silent"),
    version: "test",
    services,
    health: () => Promise.reject(new Error("not asked")),
    sidecar,
    drain: new HttpDrain(),
    metrics: createAppMetrics(sidecar),
  });
}
