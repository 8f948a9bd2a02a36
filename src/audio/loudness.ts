/**
 * Loudness normalization (the Gradio app's `normalize_audio`, spec §7), on mono float PCM through ffmpeg.
 *
 * Measurements come from ffmpeg's `ebur128` meter (ITU-R BS.1770: integrated loudness, loudness range, true
 * peak with 4× oversampling), which runs at the audio's own rate: a fraction of the time `loudnorm`'s meter
 * takes, since loudnorm always works at 192 kHz.
 *
 * - `ebu`: EBU R128. When one constant gain to the target keeps the true peak under the ceiling, that gain is
 *   the result (loudnorm's "linear mode"; applied here, because loudnorm's own linear pass returns near-silence
 *   for input shorter than its 3 s window). Otherwise loudnorm's dynamic (compressing, limiting) mode runs with
 *   the measurements, on the audio padded with silence to a full window (the loudness gate ignores silence),
 *   and its result is resampled back to the input's rate and cut to its length.
 * - `peak`: one constant gain that puts the true peak at the target. The Gradio app ran `alimiter=limit=-2dB`
 *   instead, a limiter that only squashes peaks above the limit and never raises quiet audio; a plain gain
 *   keeps the dynamics untouched and reaches the target from either side.
 *
 * Audio goes to ffmpeg and back through pipes as raw float32, so nothing is written to disk. A constant gain
 * moves every reading by exactly that gain, so only the dynamic mode needs a second measurement.
 */
import type { MonoPcm } from "../domain/audio.js";
import { EBUR128_METER, parseEbur128Summary, type Ebur128Reading } from "./ebur128.js";
import { runFfmpeg, type FfmpegCommonOptions } from "./ffmpeg-run.js";
import { f32leToFloat32, float32ToF32le } from "./pcm.js";

export type LoudnessMethod = "ebu" | "peak";

/** Targets of {@link normalizeLoudness}: the API's normalize_method, normalize_level, normalize_tp, normalize_lra. */
export interface LoudnessOptions extends FfmpegCommonOptions {
  method: LoudnessMethod;
  /** Integrated loudness target, LUFS (−70…−5). Used by `ebu`. */
  integratedLufs: number;
  /** True-peak ceiling, dBTP (−9…0). The `peak` method's target; `ebu`'s ceiling. */
  truePeakDbtp: number;
  /** Loudness range target, LU (1…50). Used by `ebu`. */
  lraLu: number;
}

/** One reading of the meter. `null` where there is nothing to measure (JSON has no −∞). */
export interface LoudnessMeasurement {
  integrated_lufs: number | null;
  true_peak_dbtp: number | null;
  lra_lu: number | null;
}

/** What normalization did, in the snake_case shape stored in metadata. */
export interface LoudnessInfo {
  applied: boolean;
  method: LoudnessMethod;
  /** Why nothing was done, when `applied` is false. */
  reason?: string;
  /** `linear` and `dynamic` are loudnorm's modes; `gain` is the peak method's single gain. */
  normalization_type?: "linear" | "dynamic" | "gain";
  /** The constant gain of the `peak` method and of `ebu`'s linear mode, dB. */
  gain_db?: number;
  /** A final gain (dB, negative) that took a true peak above the ceiling back to it. */
  true_peak_correction_db?: number;
  /** Set when `ebu` ended more than 1 LU from the target; worth passing on to the client. */
  warning?: string;
  target: { integrated_lufs: number; true_peak_dbtp: number; lra_lu: number };
  before: LoudnessMeasurement;
  after: LoudnessMeasurement;
}

export interface LoudnessResult {
  pcm: MonoPcm;
  info: LoudnessInfo;
}

type Reading = Ebur128Reading;

/**
 * Normalizes `pcm` with the chosen method. Silent audio (no true peak) and, for `ebu`, audio with no
 * integrated loudness (shorter than 0.4 s, or under the −70 LUFS gate) come back unchanged with
 * `applied: false` and a reason. The result keeps the input's sample rate and exact length, and its true peak
 * never ends above the target: loudnorm's dynamic mode can overshoot by a few tenths of a dB, which a final
 * small gain takes back (the ceiling is a limit, the loudness a goal).
 * @throws AudioToolError when ffmpeg is missing or fails; the abort reason when `signal` aborts.
 */
export async function normalizeLoudness(pcm: MonoPcm, options: LoudnessOptions): Promise<LoudnessResult> {
  const { method } = options;
  const target = {
    integrated_lufs: options.integratedLufs,
    true_peak_dbtp: options.truePeakDbtp,
    lra_lu: options.lraLu,
  };
  const reading = await measure(pcm, options);
  const before = measurement(reading);
  const skipped = skipReason(method, before);
  if (skipped !== undefined) {
    return { pcm, info: { applied: false, method, reason: skipped, target, before, after: before } };
  }
  const normalized = method === "peak" ? peakGain(pcm, options, before) : await ebu(pcm, options, reading);
  const capped = capTruePeak(normalized.pcm, normalized.after, options.truePeakDbtp);
  const info: LoudnessInfo = { applied: true, method, ...normalized.details, target, before, after: capped.after };
  if (capped.gainDb !== 0) info.true_peak_correction_db = capped.gainDb;
  const warning = shortfallWarning(info);
  if (warning !== undefined) info.warning = warning;
  return { pcm: capped.pcm, info };
}

function skipReason(method: LoudnessMethod, before: LoudnessMeasurement): string | undefined {
  if (before.true_peak_dbtp === null) return "nothing to normalize: the audio is silent";
  if (method === "ebu" && before.integrated_lufs === null) {
    return "nothing to normalize: no integrated loudness (shorter than 0.4 s or below -70 LUFS)";
  }
  return undefined;
}

interface Normalized {
  pcm: MonoPcm;
  after: LoudnessMeasurement;
  details: Pick<LoudnessInfo, "normalization_type" | "gain_db">;
}

function peakGain(pcm: MonoPcm, options: LoudnessOptions, before: LoudnessMeasurement): Normalized {
  return constantGain(pcm, before, round1(options.truePeakDbtp - before.true_peak_dbtp!), "gain");
}

/** loudnorm's linear mode when the gain keeps the true peak under the ceiling, else its dynamic mode. */
async function ebu(pcm: MonoPcm, options: LoudnessOptions, before: Reading): Promise<Normalized> {
  const gainDb = round1(options.integratedLufs - before.integrated_lufs!);
  if (before.true_peak_dbtp! + gainDb <= options.truePeakDbtp) return constantGain(pcm, before, gainDb, "linear");
  const first = await dynamic(pcm, options, before, 0);
  const shortfall = options.integratedLufs - (first.after.integrated_lufs ?? options.integratedLufs);
  if (shortfall <= DYNAMIC_RETRY_LU) return first;
  // On peaky speech the limiter lands short of the target; gain before it (loudnorm's `offset`, what its
  // first pass would have suggested) makes most of that up. The closer of the two results is kept.
  const second = await dynamic(pcm, options, before, round1(shortfall));
  const miss = (n: Normalized) => Math.abs(options.integratedLufs - (n.after.integrated_lufs ?? -Infinity));
  return miss(second) < miss(first) ? second : first;
}

/** A dynamic result further below the target than this is tried once more with the shortfall as offset. */
const DYNAMIC_RETRY_LU = 0.5;

async function dynamic(pcm: MonoPcm, options: LoudnessOptions, before: Reading, offsetDb: number) {
  const filter = dynamicFilter(options, before, offsetDb);
  const output = await runFfmpegFilter(padToWindow(pcm), filter, { ...options, output: true });
  const out = { sampleRate: pcm.sampleRate, samples: fitLength(output.samples, pcm.samples.length) };
  const after = measurement(await measure(out, options));
  return { pcm: out, after, details: { normalization_type: "dynamic" as const } };
}

/** A constant gain moves every reading by exactly the gain; the loudness range stays as it was. */
function constantGain(pcm: MonoPcm, before: LoudnessMeasurement, gainDb: number, type: "linear" | "gain"): Normalized {
  return {
    pcm: applyGain(pcm, gainDb),
    after: shifted(before, gainDb),
    details: { normalization_type: type, gain_db: gainDb },
  };
}

function shifted(reading: LoudnessMeasurement, gainDb: number): LoudnessMeasurement {
  const shift = (x: number | null) => (x === null ? null : round2(x + gainDb));
  return {
    integrated_lufs: shift(reading.integrated_lufs),
    true_peak_dbtp: shift(reading.true_peak_dbtp),
    lra_lu: reading.lra_lu,
  };
}

/** loudnorm looks 3 s ahead; half a second more leaves room for its resampler. */
const LOUDNORM_WINDOW_SECONDS = 3.5;

function padToWindow(pcm: MonoPcm): MonoPcm {
  const length = Math.ceil(LOUDNORM_WINDOW_SECONDS * pcm.sampleRate);
  if (pcm.samples.length >= length) return pcm;
  const samples = new Float32Array(length);
  samples.set(pcm.samples);
  return { sampleRate: pcm.sampleRate, samples };
}

/** Brings a true peak above the ceiling down to it with a constant gain; the readings move by the same gain. */
function capTruePeak(
  pcm: MonoPcm,
  after: LoudnessMeasurement,
  ceiling: number,
): { pcm: MonoPcm; after: LoudnessMeasurement; gainDb: number } {
  const over = after.true_peak_dbtp === null ? 0 : after.true_peak_dbtp - ceiling;
  if (!(over > 0.01)) return { pcm, after, gainDb: 0 };
  const gainDb = -round2(over + 0.005);
  return { pcm: applyGain(pcm, gainDb), after: shifted(after, gainDb), gainDb };
}

/** Loudness more than 1 LU off the target, which happens when the true-peak ceiling leaves too little headroom. */
function shortfallWarning(info: LoudnessInfo): string | undefined {
  const reached = info.after.integrated_lufs;
  if (info.method !== "ebu" || reached === null || Math.abs(reached - info.target.integrated_lufs) <= 1) {
    return undefined;
  }
  return (
    `loudness normalization reached ${reached} LUFS instead of ${info.target.integrated_lufs} LUFS: ` +
    `loudnorm's dynamic mode could not get there within the true-peak ceiling of ${info.target.true_peak_dbtp} dBTP`
  );
}

type Targets = Pick<LoudnessOptions, "integratedLufs" | "truePeakDbtp" | "lraLu">;

/** loudnorm's dynamic mode with our measurements, then back to the input's rate (done by `-ar` on the output). */
function dynamicFilter(t: Targets, m: Reading, offsetDb: number): string {
  const measured =
    `measured_I=${m.integrated_lufs}:measured_TP=${m.true_peak_dbtp}:measured_LRA=${m.lra_lu ?? 0}` +
    `:measured_thresh=${m.threshold_lufs}:offset=${offsetDb}`;
  return `loudnorm=I=${t.integratedLufs}:TP=${t.truePeakDbtp}:LRA=${t.lraLu}:${measured}:linear=false`;
}

/** The ebur128 meter's summary of `pcm`. Its frame log goes to the verbose level, below what is read. */
async function measure(pcm: MonoPcm, run: FfmpegCommonOptions): Promise<Reading> {
  const { stderr } = await runFfmpegFilter(pcm, EBUR128_METER, { ...run, output: false });
  return parseEbur128Summary(stderr);
}

interface FilterRun extends FfmpegCommonOptions {
  /** Whether to read back the filtered audio; a measuring run discards it. */
  output: boolean;
}

/** Feeds `pcm` through `filter`; returns ffmpeg's info-level log and, for `output`, the filtered samples. */
async function runFfmpegFilter(
  pcm: MonoPcm,
  filter: string,
  run: FilterRun,
): Promise<{ stderr: string; samples: Float32Array }> {
  const rate = String(pcm.sampleRate);
  const chunks: Buffer[] = [];
  const stderr = await runFfmpeg({
    ...run,
    args: [
      ...["-f", "f32le", "-ar", rate, "-ac", "1", "-i", "pipe:0", "-af", filter],
      ...(run.output ? ["-c:a", "pcm_f32le", "-ar", rate, "-ac", "1", "-f", "f32le", "pipe:1"] : ["-f", "null", "-"]),
    ],
    action: "normalize loudness",
    logLevel: "info",
    input: float32ToF32le(pcm.samples),
    ...(run.output ? { onStdout: (chunk: Buffer) => chunks.push(chunk) } : {}),
  });
  return { stderr, samples: run.output ? f32leToFloat32(Buffer.concat(chunks)) : new Float32Array(0) };
}

/** A reading as the metadata shows it. */
function measurement({ integrated_lufs, true_peak_dbtp, lra_lu }: Reading): LoudnessMeasurement {
  return { integrated_lufs, true_peak_dbtp, lra_lu };
}

function applyGain(pcm: MonoPcm, gainDb: number): MonoPcm {
  const factor = 10 ** (gainDb / 20);
  return { sampleRate: pcm.sampleRate, samples: pcm.samples.map((x) => x * factor) };
}

/** The resampler may end a few samples early or late; pad with silence or cut so the length is the input's. */
function fitLength(samples: Float32Array, length: number): Float32Array {
  if (samples.length === length) return samples;
  const out = new Float32Array(length);
  out.set(samples.subarray(0, length));
  return out;
}

function round1(x: number): number {
  return Math.round(x * 10) / 10;
}

function round2(x: number): number {
  return Math.round(x * 100) / 100;
}
