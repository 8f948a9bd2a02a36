/**
 * A supervisor of the real Python sidecar (espeak engine), configured the way main.ts configures it from a
 * test's config: the real defaults, except what a test must own (a free port, the repository's venv), the
 * engine (espeak unless a test names another), and the models, which are the ones `npm install` put in the
 * repository's models/ (Whisper and Piper packs).
 */
import { join } from "node:path";
import type { AppConfig } from "../../src/config/app-config.js";
import type { EngineChoice } from "../../src/domain/inference.js";
import { createRootLogger } from "../../src/logging.js";
import { PROJECT_ROOT } from "../../src/project-root.js";
import { SidecarSupervisor } from "../../src/sidecar/supervisor.js";
import { supervisorOptionsFromConfig } from "../../src/sidecar/supervisor-config.js";
import type { SupervisorOptions } from "../../src/sidecar/supervisor-options.js";

/** Where `npm install` puts the offline model packs. */
const MODELS_DIR = join(PROJECT_ROOT, "models");
export const WHISPER_DIR = join(MODELS_DIR, "whisper");

export function realSidecarSupervisor(
  config: AppConfig,
  overrides: Partial<SupervisorOptions> = {},
  engine: EngineChoice = "espeak",
): SidecarSupervisor {
  const options = supervisorOptionsFromConfig(config, {
    projectRoot: PROJECT_ROOT,
    logger: createRootLogger("silent"),
  });
  return new SidecarSupervisor({
    ...options,
    python: join(PROJECT_ROOT, "sidecar", ".venv", "bin", "python"),
    args: { ...options.args, listen: "127.0.0.1:0", stt: { ...options.args.stt!, whisperDir: WHISPER_DIR } },
    loadRequest: { ...options.loadRequest, engine, modelsDir: MODELS_DIR },
    ...overrides,
  });
}
