/**
 * Defaults of the sidecar's own flags, read from the file its argument parser reads too
 * (sidecar/chatterbox_sidecar/defaults.json), so the server's config and a sidecar run by hand never
 * disagree about them.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { z } from "zod";
import { PROJECT_ROOT } from "../project-root.js";

const defaultsSchema = z.strictObject({
  listen: z.string().regex(/^.+:\d+$/),
  queue_capacity: z.number().int().positive(),
  max_message_mb: z.number().int().positive(),
  grace_seconds: z.number().positive(),
  stt_memory_mb: z.number().int().positive(),
  stt_queue_capacity: z.number().int().positive(),
  max_queue_wait_seconds: z.number().min(0),
});

export const SIDECAR_DEFAULTS_FILE = join(PROJECT_ROOT, "sidecar", "chatterbox_sidecar", "defaults.json");

function readDefaults() {
  const parsed = defaultsSchema.parse(JSON.parse(readFileSync(SIDECAR_DEFAULTS_FILE, "utf8")));
  const colon = parsed.listen.lastIndexOf(":");
  return { ...parsed, host: parsed.listen.slice(0, colon), port: Number(parsed.listen.slice(colon + 1)) };
}

/** The sidecar's flag defaults, with `listen` also split into host and port. */
export const SIDECAR_DEFAULTS = readDefaults();
