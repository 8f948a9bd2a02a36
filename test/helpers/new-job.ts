/** A job as submission would make it, for tests of the jobs store and runner. */
import type { NewJob } from "../../src/services/jobs/job-store.js";

export const newJob = (id: string, overrides: Partial<NewJob> = {}): NewJob => ({
  id,
  type: "tts",
  request: { text: `Text of ${id}.` },
  project: null,
  keyId: null,
  seed: 42,
  chapters: null,
  splitChapters: false,
  webhookUrl: null,
  webhookSecret: null,
  warnings: [],
  ...overrides,
});
