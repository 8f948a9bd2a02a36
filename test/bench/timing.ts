/**
 * How the benchmarks time things: every side of a comparison runs in turn, round after round, so drift in
 * the machine's load (another process, thermal throttling) hits all sides alike; medians then shrug off
 * the odd slow run.
 */
export const RUNS = 7;

export const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

export async function timed(action: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await action();
  return performance.now() - started;
}

/** Every action's wall times (ms), one per run, the actions interleaved run by run. */
export async function interleavedTimes(actions: Array<() => Promise<unknown>>, runs = RUNS): Promise<number[][]> {
  const times = actions.map((): number[] => []);
  for (let run = 0; run < runs; run += 1) {
    for (const [index, action] of actions.entries()) times[index]!.push(await timed(action));
  }
  return times;
}

/** The median times of two actions run interleaved. */
export async function sideBySide(
  a: () => Promise<unknown>,
  b: () => Promise<unknown>,
  runs = RUNS,
): Promise<[number, number]> {
  const [timesA, timesB] = await interleavedTimes([a, b], runs);
  return [median(timesA!), median(timesB!)];
}
