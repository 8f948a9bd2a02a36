/**
 * A worker thread that POSTs JSON bodies it is sent and reads the streamed answers, timing the first byte and
 * the end on its own clock, one request at a time over a kept-alive connection. The benchmark's client runs
 * here, off the server's thread: in the same event loop its reading would be counted as the server's cost.
 */
import { parentPort } from "node:worker_threads";

interface Job {
  url: string;
  body: object;
}

async function timeRequest({ url, body }: Job): Promise<{ first: number; total: number }> {
  const started = performance.now();
  const response = await fetch(url, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(body),
  });
  if (response.status !== 200) throw new Error(`POST ${url} failed: ${response.status} ${await response.text()}`);
  const reader = response.body!.getReader();
  let first = 0;
  for (let read = await reader.read(); !read.done; read = await reader.read()) first ||= performance.now() - started;
  return { first, total: performance.now() - started };
}

parentPort!.on("message", (job: Job) => {
  timeRequest(job).then(
    (times) => parentPort!.postMessage({ times }),
    (error: unknown) => parentPort!.postMessage({ error: String(error) }),
  );
});
