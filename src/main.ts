/**
 * Composition root: config → logger → data folders → sidecar supervisor → services → HTTP server, and
 * a shutdown that mirrors it (stop accepting, stop the sidecar gracefully, exit).
 */
import { mkdir, readFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { createApp } from "./app.js";
import type { AppConfig } from "./config/app-config.js";
import { ConfigError, loadConfig } from "./config/load-config.js";
import { childLogger, createRootLogger, type Logger } from "./logging.js";
import { createServices } from "./services/create-services.js";
import { createHealthReporter } from "./services/health-service.js";
import { SidecarSupervisor } from "./sidecar/supervisor.js";

const projectRoot = join(dirname(fileURLToPath(import.meta.url)), "..", "..");

/** Environment the sidecar may see besides PATH/HOME/LANG: model caches, tokens and GPU selection. */
const SIDECAR_ENV_KEYS = ["HF_HOME", "HF_TOKEN", "HF_ENDPOINT", "TORCH_HOME", "CUDA_VISIBLE_DEVICES", "XDG_CACHE_HOME"];

function readConfig(): AppConfig {
  try {
    return loadConfig({ path: process.env.CONFIG ?? join(projectRoot, "config.yaml") });
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    console.error(error.message);
    process.exit(1);
  }
}

function createSupervisor(config: AppConfig, logger: Logger): SidecarSupervisor {
  const { sidecar, inference, paths } = config;
  const env: Record<string, string | undefined> = Object.fromEntries(SIDECAR_ENV_KEYS.map((key) => [key, process.env[key]]));
  if (!inference.allowDownload) env.HF_HUB_OFFLINE = "1";
  return new SidecarSupervisor({
    python: sidecar.python,
    cwd: join(projectRoot, "sidecar"),
    args: {
      listen: `${sidecar.host}:${sidecar.port}`,
      logLevel: sidecar.logLevel,
      allowedRoots: [paths.referenceAudio, paths.vcInputs, paths.outputs],
      queueCapacity: inference.queueCapacity,
      maxMessageMb: sidecar.maxMessageMb,
      graceSeconds: sidecar.stopGraceSeconds,
    },
    env,
    loadRequest: {
      engine: inference.engine,
      variant: inference.chatterboxVariant,
      device: inference.device,
      modelsDir: paths.models,
      allowDownload: inference.allowDownload,
    },
    startupTimeoutMs: sidecar.startupTimeoutMs,
    loadTimeoutMs: sidecar.loadTimeoutMs,
    healthIntervalMs: sidecar.healthIntervalMs,
    healthFailureThreshold: sidecar.healthFailureThreshold,
    restart: sidecar.restart,
    logger,
  });
}

function listen(server: Server, host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => resolve());
  });
}

function onShutdown(server: Server, supervisor: SidecarSupervisor, log: Logger): void {
  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, "shutting down");
    server.close();
    await supervisor.stop();
    log.info("stopped");
    process.exit(0);
  };
  process.on("SIGINT", (signal) => void shutdown(signal));
  process.on("SIGTERM", (signal) => void shutdown(signal));
}

async function main(): Promise<void> {
  const startedAt = Date.now();
  const config = readConfig();
  const root = createRootLogger(config.server.logLevel);
  const log = childLogger(root, "main");
  const { version } = JSON.parse(await readFile(join(projectRoot, "package.json"), "utf8")) as { version: string };
  await Promise.all([config.paths.outputs, config.paths.referenceAudio, config.paths.vcInputs].map((d) => mkdir(d, { recursive: true })));
  const supervisor = createSupervisor(config, root);
  const { outputs, tts } = createServices(config, supervisor.backend);
  const health = createHealthReporter({ sidecar: supervisor, version, startedAt });
  const app = createApp({ config, log: childLogger(root, "http"), version, tts, outputs, health });
  const server = createServer(app.callback());
  // Long texts take minutes; Node's default 5-minute request timeout would cut them off.
  server.requestTimeout = 0;
  await listen(server, config.server.host, config.server.port);
  const { port } = server.address() as AddressInfo;
  log.info({ url: `http://${config.server.host}:${port}`, config: config.source ?? "defaults" }, "listening");
  onShutdown(server, supervisor, log);
  supervisor.start().catch((error: unknown) => log.error({ err: error }, "the inference sidecar could not start"));
}

main().catch((error: unknown) => {
  // e.g. the HTTP port is taken: say so plainly instead of dying with an unhandled rejection.
  console.error(`chatterbox-ts could not start: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
