/**
 * `npm run bench:load`: the server under load and under crashes, loopback only, against the real sidecar
 * with the espeak engine and the Koa app on port 0. Bounded: 30 rounds (at most 90 s) of overload, then
 * 200 requests (at most 180 s) with 5 sidecar kills; each request has a 30 s deadline.
 *
 * 1. overload: 20 clients at once against a queue of 4 (load-overload.ts);
 * 2. chaos: 200 requests, 6 at once, while the sidecar is SIGKILLed 5 times (load-chaos.ts).
 *
 * Exits with 1 when a figure marked "must be 0" is not 0 (or the chaos part could not make its 5 kills).
 */
import { chaosBench } from "./load-chaos.js";
import { overloadBench } from "./load-overload.js";

const started = performance.now();
const failures = [...(await overloadBench()), ...(await chaosBench())];
console.log(`\nbench:load took ${((performance.now() - started) / 1000).toFixed(0)} s`);
if (failures.length > 0) {
  console.log(`FAILED:\n${failures.map((f) => `  ${f}`).join("\n")}`);
  process.exitCode = 1;
}
