/**
 * Brings a finished master to a loudness target, file to file, so a master of hours never enters memory. The
 * decisions are loudness.ts's, on files instead of buffers:
 *
 * - ffmpeg's `ebur128` meter (ITU-R BS.1770, true peak 4× oversampled) measures the master. loudnorm's own
 *   first pass is five times slower and reads integrated loudness up to 0.7 LU away from the meter on material
 *   whose level varies, which is what a join of clips is.
 * - When one constant gain reaches the target without pushing the true peak over the ceiling, that gain is all
 *   that is done (`volume`: exact, the length untouched, and the loudness moves by exactly the gain).
 * - Otherwise loudnorm's dynamic mode runs with the measurements; its output is metered again for the report.
 *   Audio shorter than loudnorm's 3 s look-ahead is padded with silence (which the gate ignores) and cut back,
 *   and the result keeps the master's rate and exact length.
 */
import { ABSOLUTE_GATE_LUFS, EBUR128_METER, parseEbur128Summary } from "../ebur128.js";
import { fileUrl, runFfmpeg } from "../ffmpeg-run.js";
import type { LoudnessReport, OutputLayout } from "./types.js";

/** The ceiling for true peaks, dBTP, and the loudness range loudnorm aims for, LU (EBU R128 practice). */
const TRUE_PEAK_CEILING_DBTP = -1;
const LOUDNESS_RANGE_LU = 11;
/** loudnorm looks 3 s ahead; half a second more leaves room for its resampler. */
const LOUDNORM_WINDOW_SECONDS = 3.5;

export interface MasterLoudnessJob {
  inputPath: string;
  outputPath: string;
  layout: OutputLayout;
  /** The master's length; the output keeps it exactly. */
  frames: number;
  targetLufs: number;
  signal?: AbortSignal;
}

/** The meter's summary: integrated loudness and its gate threshold (LUFS), range (LU), true peak (dBTP). */
interface Meter {
  integrated: number;
  threshold: number;
  range: number;
  truePeak: number;
}

/**
 * Writes the normalised master to `outputPath`; resolves undefined (writing nothing) when the master has no
 * measurable loudness (silent, or shorter than the meter's 0.4 s block).
 * @throws AudioToolError when ffmpeg fails; the abort reason when `signal` aborts.
 */
export async function normalizeMasterLoudness(job: MasterLoudnessJob): Promise<LoudnessReport | undefined> {
  const before = await meter(job, job.inputPath);
  if (!(before.integrated > ABSOLUTE_GATE_LUFS)) return undefined;
  const report = {
    targetLufs: job.targetLufs,
    inputLufs: before.integrated,
    truePeakCeilingDbtp: TRUE_PEAK_CEILING_DBTP,
  };
  const gainDb = round2(job.targetLufs - before.integrated);
  if (before.truePeak + gainDb <= TRUE_PEAK_CEILING_DBTP) {
    await runFilter(job, `volume=${gainDb}dB:precision=float`);
    return { ...report, mode: "linear", outputLufs: round2(before.integrated + gainDb) };
  }
  const { sampleRate } = job.layout;
  const padded = Math.max(job.frames, Math.ceil(LOUDNORM_WINDOW_SECONDS * sampleRate));
  const loudnorm =
    `loudnorm=I=${job.targetLufs}:TP=${TRUE_PEAK_CEILING_DBTP}:LRA=${LOUDNESS_RANGE_LU}` +
    `:measured_I=${before.integrated}:measured_TP=${before.truePeak}:measured_LRA=${before.range}` +
    `:measured_thresh=${before.threshold}:linear=false`;
  // loudnorm works at 192 kHz: back to the master's rate, then cut (or pad) to its exact length. WAV files
  // name no channel layout, which the resampler needs named before it can hand its output on.
  const layout = job.layout.channels === 1 ? "mono" : "stereo";
  const exact =
    `aresample=${sampleRate},aformat=channel_layouts=${layout},` +
    `atrim=end_sample=${job.frames},apad=whole_len=${job.frames}`;
  await runFilter(job, `apad=whole_len=${padded},${loudnorm},${exact}`);
  const after = await meter(job, job.outputPath);
  return { ...report, mode: "dynamic", outputLufs: after.integrated };
}

/** Runs `filter` over the master into the output file (RF64 past 4 GiB, as the master itself). */
async function runFilter(job: MasterLoudnessJob, filter: string): Promise<void> {
  await runFfmpeg({
    args: [
      ...["-i", fileUrl(job.inputPath), "-af", filter],
      ...["-c:a", "pcm_f32le", "-rf64", "auto", "-f", "wav", "-y", fileUrl(job.outputPath)],
    ],
    action: "normalize the master's loudness",
    ...(job.signal !== undefined ? { signal: job.signal } : {}),
  });
}

async function meter(job: MasterLoudnessJob, path: string): Promise<Meter> {
  const stderr = await runFfmpeg({
    args: ["-i", fileUrl(path), "-af", EBUR128_METER, "-f", "null", "-"],
    action: "measure the master's loudness",
    logLevel: "info",
    ...(job.signal !== undefined ? { signal: job.signal } : {}),
  });
  const reading = parseEbur128Summary(stderr);
  return {
    integrated: reading.integrated_lufs ?? -Infinity,
    threshold: reading.threshold_lufs,
    range: reading.lra_lu ?? 0,
    truePeak: reading.true_peak_dbtp ?? -Infinity,
  };
}

function round2(x: number): number {
  return Math.round(x * 100) / 100;
}
