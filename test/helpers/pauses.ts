/** The tests' own measures of pauses and sound in audio, independent of the server's silence detection. */
import type { MonoPcm } from "../../src/domain/audio.js";

export function peak(samples: Float32Array): number {
  return samples.reduce((p, x) => Math.max(p, Math.abs(x)), 0);
}

/** Runs of samples under `level`, as [start, end) sample pairs. */
export function quietRuns(samples: Float32Array, level: number): Array<[number, number]> {
  const runs: Array<[number, number]> = [];
  let start = -1;
  samples.forEach((x, i) => {
    if (Math.abs(x) < level) {
      if (start < 0) start = i;
    } else if (start >= 0) {
      runs.push([start, i]);
      start = -1;
    }
  });
  if (start >= 0) runs.push([start, samples.length]);
  return runs;
}

/** Pauses with sound on both sides, in ms; quiet runs under 3 ms are a waveform's zero crossings, not pauses. */
export function internalPausesMs(pcm: MonoPcm, level: number): number[] {
  return quietRuns(pcm.samples, level)
    .filter(([start, end]) => start > 0 && end < pcm.samples.length)
    .map(([start, end]) => ((end - start) / pcm.sampleRate) * 1000)
    .filter((ms) => ms >= 3);
}

/** Leading and trailing quiet, in ms. */
export function edgeSilenceMs(pcm: MonoPcm, level: number): { leading: number; trailing: number } {
  const runs = quietRuns(pcm.samples, level);
  const toMs = (samples: number) => (samples / pcm.sampleRate) * 1000;
  const first = runs[0];
  const last = runs.at(-1);
  return {
    leading: first && first[0] === 0 ? toMs(first[1]) : 0,
    trailing: last && last[1] === pcm.samples.length ? toMs(last[1] - last[0]) : 0,
  };
}

/** Seconds from the first to the last sample at or above `fraction` of the peak: how long the sound lasts. */
export function soundSpan(pcm: MonoPcm, fraction = 0.01): number {
  const level = fraction * peak(pcm.samples);
  const first = pcm.samples.findIndex((x) => Math.abs(x) >= level);
  let last = pcm.samples.length - 1;
  while (last > first && Math.abs(pcm.samples[last]!) < level) last--;
  return (last - first) / pcm.sampleRate;
}

/** Samples at or above `level`: the sound, which no silence stage may remove. */
export const loudSamples = (pcm: MonoPcm, level: number) => pcm.samples.filter((x) => Math.abs(x) >= level).length;
