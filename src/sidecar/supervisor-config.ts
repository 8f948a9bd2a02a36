/** The supervisor's options as config.yaml describes them: what main.ts runs, and what tests start from. */
import { join } from "node:path";
import type { AppConfig } from "../config/app-config.js";
import type { Logger } from "../logging.js";
import type { SupervisorOptions } from "./supervisor-options.js";

/**
 * Environment the sidecar may see besides PATH/HOME/LANG: model caches, tokens, GPU selection, and the tuning of
 * the CPU math libraries. The latter are not cosmetic: on a machine whose BLAS needs OPENBLAS_CORETYPE, Whisper
 * without it decoded the same audio into different words and invented sentences.
 */
const SIDECAR_ENV_KEYS = [
  "HF_HOME",
  "HF_TOKEN",
  "HF_ENDPOINT",
  "TORCH_HOME",
  "CUDA_VISIBLE_DEVICES",
  "XDG_CACHE_HOME",
  "OMP_NUM_THREADS",
  "MKL_NUM_THREADS",
  "OPENBLAS_NUM_THREADS",
  "OPENBLAS_CORETYPE",
  "CT2_FORCE_CPU_ISA",
];

export interface SupervisorContext {
  /** The repository root; the sidecar runs in <root>/sidecar. */
  projectRoot: string;
  logger: Logger;
  /** Where the pass-through variables are read (default process.env). */
  env?: NodeJS.ProcessEnv;
}

export function supervisorOptionsFromConfig(config: AppConfig, context: SupervisorContext): SupervisorOptions {
  const { sidecar, inference, paths, stt } = config;
  const source = context.env ?? process.env;
  const env: Record<string, string | undefined> = Object.fromEntries(SIDECAR_ENV_KEYS.map((key) => [key, source[key]]));
  if (!inference.allowDownload) env.HF_HUB_OFFLINE = "1";
  return {
    python: sidecar.python,
    cwd: join(context.projectRoot, "sidecar"),
    args: {
      listen: `${sidecar.host}:${sidecar.port}`,
      logLevel: sidecar.logLevel,
      // The scratch root too: uploads for speech recognition are read there, by path, whatever their length.
      allowedRoots: [paths.referenceAudio, paths.vcInputs, paths.outputs, paths.temp],
      queueCapacity: inference.queueCapacity,
      maxQueueWaitSeconds: inference.maxQueueWaitSeconds,
      maxMessageMb: sidecar.maxMessageMb,
      graceSeconds: sidecar.stopGraceSeconds,
      stt: {
        whisperDir: join(paths.models, "whisper"),
        device: stt.device,
        memoryMb: stt.memoryBudgetMb,
        queueCapacity: stt.queueCapacity,
        allowDownload: inference.allowDownload,
      },
    },
    env,
    loadRequest: {
      engine: inference.engine,
      variant: inference.chatterboxVariant,
      device: inference.device,
      modelsDir: paths.models,
      allowDownload: inference.allowDownload,
      piperVoice: inference.piperVoice,
      engines: inference.engines,
      memoryBudgetMb: inference.memoryBudgetMb,
    },
    startupTimeoutMs: sidecar.startupTimeoutMs,
    loadTimeoutMs: sidecar.loadTimeoutMs,
    healthIntervalMs: sidecar.healthIntervalMs,
    healthFailureThreshold: sidecar.healthFailureThreshold,
    restart: sidecar.restart,
    logger: context.logger,
  };
}
