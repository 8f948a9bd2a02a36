/** The printout shared by the benchmarks' sections: one markdown table row per comparison. */

export const TABLE_HEADER = "| measure | A | B | A / B |\n|---|---|---|---|";

export function row(name: string, a: [string, number], b: [string, number]): string {
  return `| ${name} | ${a[0]} ${a[1].toFixed(0)} ms | ${b[0]} ${b[1].toFixed(0)} ms | ${(a[1] / b[1]).toFixed(2)} |`;
}

/** Audio seconds handled per wall second: above 1 is faster than real time. */
export function throughput(audioSeconds: number, ms: number): string {
  return `${(audioSeconds / (ms / 1000)).toFixed(1)} s/s`;
}
