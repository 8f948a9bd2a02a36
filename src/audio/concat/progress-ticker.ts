/**
 * Progress for long joins, throttled so a thousand short clips do not flood the caller's log: a report every
 * twentieth of the clips or once a second, whichever comes first, and always at the end.
 */

const MAX_REPORTS = 20;
const REPORT_EVERY_MS = 1000;

/** A function to call once per joined clip; it calls `onProgress(done, total)` when a report is due. */
export function progressTicker(total: number, onProgress?: (done: number, total: number) => void): () => void {
  const step = Math.max(1, Math.floor(total / MAX_REPORTS));
  let done = 0;
  let reported = 0;
  let reportedAt = performance.now();
  return () => {
    done += 1;
    if (onProgress === undefined) return;
    const now = performance.now();
    if (done === total || done - reported >= step || now - reportedAt >= REPORT_EVERY_MS) {
      onProgress(done, total);
      reported = done;
      reportedAt = now;
    }
  };
}
