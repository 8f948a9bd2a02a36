/** The config a command runs with: $CONFIG, else the project's config.yaml; a broken one ends the process. */
import { join } from "node:path";
import type { AppConfig } from "./app-config.js";
import { ConfigError, loadConfig } from "./load-config.js";
import { PROJECT_ROOT } from "../project-root.js";

export function readConfigOrExit(): AppConfig {
  try {
    return loadConfig({ path: process.env.CONFIG ?? join(PROJECT_ROOT, "config.yaml") });
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    console.error(error.message);
    process.exit(1);
  }
}
