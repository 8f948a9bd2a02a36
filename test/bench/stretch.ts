/**
 * Time-stretch throughput per library: the TimeStretch RPC on one clip of espeak speech, for every library
 * the loaded model reports (audiostretchy and sox here; librosa and torchaudio with the Chatterbox extra),
 * at speeds across the 0.25-4.0 range. A library whose one pass covers less (audiostretchy: 0.5-2.0) runs
 * in passes, which the figures include: that is the cost a request pays.
 */
import type { MonoPcm } from "../../src/domain/audio.js";
import type { InferenceBackend, StretchLibraryName } from "../../src/domain/inference.js";
import { interleavedTimes, median } from "./timing.js";
import { throughput } from "./table.js";

const SPEEDS = [0.5, 1.5, 4];
/** Each run stretches a minute of audio; five are enough for a stable median. */
const RUNS = 5;

export async function stretchBench(backend: InferenceBackend, clip: MonoPcm): Promise<void> {
  const libraries = (await backend.engines()).default.stretchLibraries;
  const seconds = clip.samples.length / clip.sampleRate;
  const rows: string[] = [];
  for (const speed of SPEEDS) {
    const stretch = (library: StretchLibraryName) => () => backend.timeStretch({ audio: clip, speed, library });
    // Untimed first call: warms the library up and proves it is the one that ran (a fallback would
    // silently measure another library).
    for (const library of libraries) await checkLibraryUsed(stretch(library), library);
    const medians = (await interleavedTimes(libraries.map(stretch), RUNS)).map(median);
    rows.push(stretchRow(speed, seconds, medians));
  }
  console.log(
    `\nstretch: TimeStretch of a ${seconds.toFixed(1)} s espeak clip with each library the model reports, ` +
      `in turn; medians of ${RUNS} runs; s/s = clip seconds per wall second\n`,
  );
  const ratios = libraries.slice(1).map((library) => `${library} / ${libraries[0]}`);
  console.log(`| speed | ${[...libraries, ...ratios].join(" | ")} |`);
  console.log(`|---|${"---|".repeat(libraries.length + ratios.length)}`);
  for (const line of rows) console.log(line);
}

async function checkLibraryUsed(
  stretch: () => ReturnType<InferenceBackend["timeStretch"]>,
  library: StretchLibraryName,
): Promise<void> {
  const result = await stretch();
  if (result.libraryUsed !== library || result.warnings.length > 0) {
    throw new Error(`stretch with ${library} ran ${result.libraryUsed}: ${result.warnings.join("; ")}`);
  }
}

function stretchRow(speed: number, seconds: number, medians: number[]): string {
  const cells = medians.map((ms) => `${ms.toFixed(0)} ms, ${throughput(seconds, ms)}`);
  const ratios = medians.slice(1).map((ms) => (ms / medians[0]!).toFixed(2));
  return `| x${speed} | ${[...cells, ...ratios].join(" | ")} |`;
}
