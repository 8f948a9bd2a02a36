/**
 * One structured log stream for the whole server (pino, JSON on stdout). Modules get a child logger
 * tagged with their component so lines can be filtered; the sidecar's own lines are re-emitted through
 * the `sidecar` child at their original level.
 */
import { pino, type Logger, type LevelWithSilent } from "pino";

export type { Logger };

export type Component = "main" | "http" | "supervisor" | "sidecar" | "tts" | "storage" | "setup";

/** Creates the root logger; `level` comes from config (or LOG_LEVEL). */
export function createRootLogger(level: LevelWithSilent): Logger {
  return pino({
    level,
    base: { service: "chatterbox-ts" },
    redact: ["req.headers.authorization", "req.headers.cookie"],
  });
}

export function childLogger(root: Logger, component: Component): Logger {
  return root.child({ component });
}
