/**
 * Progress lines for long concatenations: a request joining a thousand clips or three hours of audio runs for
 * minutes, and the log should show it moving. Short jobs log nothing extra.
 */
import type { Logger } from "../../logging.js";

export interface ProgressLogOptions {
  /** Log at least this often while clips are being joined. */
  intervalMs: number;
  /** …and after every this many clips. */
  everyClips: number;
  /** Milliseconds from a monotonic clock (tests pass their own). */
  now?: () => number;
}

/** An `onProgress` callback for the audio core that logs at most every `intervalMs` or `everyClips` clips. */
export function progressLogger(log: Logger, options: ProgressLogOptions): (done: number, total: number) => void {
  const now = options.now ?? (() => performance.now());
  let lastAt = now();
  let lastDone = 0;
  let logged = false;
  return (done, total) => {
    const at = now();
    const due = at - lastAt >= options.intervalMs || done - lastDone >= options.everyClips;
    // The last call closes a job that logged progress, so its log shows the end too.
    if (!due && !(logged && done === total)) return;
    log.info({ joinedClips: done, totalClips: total }, `concat: ${done} of ${total} clips joined`);
    lastAt = at;
    lastDone = done;
    logged = true;
  };
}
