/** The repository root, where config.yaml, sidecar/ and the data folders live by default. */
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/** This module runs as dist/src/project-root.js, two folders below the root. */
export const PROJECT_ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
