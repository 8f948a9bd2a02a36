/** The supervisor's options as config.yaml describes them: what main.ts runs, and what tests start from. */
import { join } from "node:path";
import type { AppConfig } from "../config/app-config.js";
import type { Logger } from "../logging.js";
import type { SupervisorOptions } from "./supervisor-options.js";

/** Environment the sidecar may see besides PATH/HOME/LANG: model caches, tokens and GPU selection. */
const SIDECAR_ENV_KEYS = ["HF_HOME", "HF_TOKEN", "HF_ENDPOINT", "TORCH_HOME", "CUDA_VISIBLE_DEVICES", "XDG_CACHE_HOME"];

export interface SupervisorContext {
  /** The repository root; the sidecar runs in <root>/sidecar. */
  projectRoot: string;
  logger: Logger;
  /** Where the pass-through variables are read (default process.env). */
  env?: NodeJS.ProcessEnv;
}

export function supervisorOptionsFromConfig(config: AppConfig, context: SupervisorContext): SupervisorOptions {
  const { sidecar, inference, paths } = config;
  const source = context.env ?? process.env;
  const env: Record<string, string | undefined> = Object.fromEntries(SIDECAR_ENV_KEYS.map((key) => [key, source[key]]));
  if (!inference.allowDownload) env.HF_HUB_OFFLINE = "1";
  return {
    python: sidecar.python,
    cwd: join(context.projectRoot, "sidecar"),
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
    logger: context.logger,
  };
}
