/**
 * Loudness normalization (the Gradio app's `normalize_audio`, spec §7), on mono float PCM through ffmpeg.
 *
 * - `ebu`: EBU R128 in two passes. Pass one measures with ffmpeg's `loudnorm` (integrated loudness, true
 *   peak, loudness range, gate threshold). Pass two is one constant gain to the target (loudnorm's linear
 *   mode) whenever that gain keeps the true peak under the ceiling; otherwise loudnorm's dynamic (compressing,
 *   limiting) mode with the measurements. Dynamic mode runs at 192 kHz, so its result is resampled back to
 *   the input's rate.
 * - `peak`: one constant gain that puts the true peak (4× oversampled, dBTP) at the target. The Gradio app ran
 *   `alimiter=limit=-2dB` instead, a limiter that only squashes peaks above the limit and never raises quiet
 *   audio; a plain gain keeps the dynamics untouched and reaches the target from either side.
 *
 * Audio goes to ffmpeg and back through pipes as raw float32, so nothing is written to disk. Every
 * measurement (before and after) comes from loudnorm's own meter, so the numbers compare with each other.
 */
import { execa } from "execa";
import type { MonoPcm } from "../domain/audio.js";
import { AudioToolError } from "./audio-errors.js";
import type { FfmpegCommonOptions } from "./ffmpeg-run.js";
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

/** One reading of loudnorm's meter. `null` where there is nothing to measure (JSON has no −∞). */
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

/** Below this, BS.1770's absolute gate leaves no block to average: the audio is silence to the meter. */
const ABSOLUTE_GATE_LUFS = -70;

/** loudnorm's measurement block as printed with print_format=json (all values are strings). */
interface LoudnormReport {
  input_i: string;
  input_tp: string;
  input_lra: string;
  input_thresh: string;
  target_offset: string;
  normalization_type?: string;
}

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
  const measured = await runLoudnorm(pcm, measureFilter(options), { ...options, output: false });
  const before = toMeasurement(measured.report);
  const skipped = skipReason(method, before);
  if (skipped !== undefined) {
    return { pcm, info: { applied: false, method, reason: skipped, target, before, after: before } };
  }
  const normalized =
    method === "peak" ? peakGain(pcm, options.truePeakDbtp, before) : await ebu(pcm, options, measured.report);
  const measuredAfter = await runLoudnorm(normalized.pcm, measureFilter(options), { ...options, output: false });
  const capped = capTruePeak(normalized.pcm, toMeasurement(measuredAfter.report), options.truePeakDbtp);
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
  details: Pick<LoudnessInfo, "normalization_type" | "gain_db">;
}

function peakGain(pcm: MonoPcm, truePeakDbtp: number, before: LoudnessMeasurement): Normalized {
  const gainDb = round2(truePeakDbtp - before.true_peak_dbtp!);
  return { pcm: applyGain(pcm, gainDb), details: { normalization_type: "gain", gain_db: gainDb } };
}

/**
 * loudnorm's linear mode is one constant gain (target − measured integrated loudness), used when that gain keeps
 * the true peak under the ceiling; it is applied here directly, because loudnorm's own linear pass returns
 * near-silence for input shorter than its 3 s window (measured: a 1.8 s clip asked for −16 LUFS came out at
 * −47). Otherwise loudnorm's dynamic mode runs, on the audio padded with silence to a full window (the
 * loudness gate ignores silence) and cut back to its length.
 */
async function ebu(pcm: MonoPcm, options: LoudnessOptions, measured: LoudnormReport): Promise<Normalized> {
  const gainDb = round2(options.integratedLufs - Number(measured.input_i));
  if (Number(measured.input_tp) + gainDb <= options.truePeakDbtp) {
    return { pcm: applyGain(pcm, gainDb), details: { normalization_type: "linear", gain_db: gainDb } };
  }
  const padded = padToWindow(pcm);
  // Pass one's preview (target_offset) is only sound when the input filled loudnorm's window.
  const offset = padded === pcm ? measured.target_offset : "0";
  const applied = await runLoudnorm(padded, dynamicFilter(options, measured, offset), { ...options, output: true });
  const out = { sampleRate: pcm.sampleRate, samples: fitLength(applied.samples, pcm.samples.length) };
  return { pcm: out, details: { normalization_type: "dynamic" } };
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
  const shift = (x: number | null) => (x === null ? null : round2(x + gainDb));
  return {
    pcm: applyGain(pcm, gainDb),
    after: {
      integrated_lufs: shift(after.integrated_lufs),
      true_peak_dbtp: shift(after.true_peak_dbtp),
      lra_lu: after.lra_lu,
    },
    gainDb,
  };
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

function targetArgs(t: Targets): string {
  return `I=${t.integratedLufs}:TP=${t.truePeakDbtp}:LRA=${t.lraLu}`;
}

/** Pass one: the targets only matter to loudnorm's own preview, the input readings are what we keep. */
function measureFilter(t: Targets): string {
  return `loudnorm=${targetArgs(t)}:print_format=json`;
}

/** Pass two in dynamic mode, then back to the input's rate (done by `-ar` on the output). */
function dynamicFilter(t: Targets, m: LoudnormReport, offset: string): string {
  const measured =
    `measured_I=${m.input_i}:measured_TP=${m.input_tp}:measured_LRA=${m.input_lra}` +
    `:measured_thresh=${m.input_thresh}:offset=${offset}`;
  return `loudnorm=${targetArgs(t)}:${measured}:linear=false:print_format=json`;
}

interface LoudnormRun extends FfmpegCommonOptions {
  /** Whether to read back the filtered audio; a measuring pass discards it. */
  output: boolean;
}

/** Feeds `pcm` through `filter` and returns loudnorm's report and, for `output`, the filtered samples. */
async function runLoudnorm(
  pcm: MonoPcm,
  filter: string,
  run: LoudnormRun,
): Promise<{ report: LoudnormReport; samples: Float32Array }> {
  const rate = String(pcm.sampleRate);
  const input = ["-f", "f32le", "-ar", rate, "-ac", "1", "-i", "pipe:0"];
  const output = run.output
    ? ["-c:a", "pcm_f32le", "-ar", rate, "-ac", "1", "-f", "f32le", "pipe:1"]
    : ["-f", "null", "-"];
  const executable = run.ffmpegPath ?? "ffmpeg";
  // loudnorm prints its report at the info level; -nostats keeps progress lines out of stderr.
  const args = ["-hide_banner", "-nostdin", "-nostats", "-v", "info", ...input, "-af", filter, ...output];
  const inputBytes = float32ToF32le(pcm.samples);
  const result = await execa(executable, args, {
    input: inputBytes,
    encoding: "buffer",
    reject: false,
    // Twice the input covers any resampler rounding; the default 100 MB would cut off long audio.
    maxBuffer: 2 * inputBytes.length + 1_000_000,
    forceKillAfterDelay: 2000,
    ...(run.signal !== undefined ? { cancelSignal: run.signal } : {}),
  });
  const stderr = new TextDecoder().decode(result.stderr);
  if (result.failed) failure(result, stderr, executable, run.signal);
  const report = parseReport(stderr);
  const samples = run.output ? f32leToFloat32(result.stdout) : new Float32Array(0);
  return { report, samples };
}

/** Turns a failed run into the audio layer's error (or the abort reason), as runFfmpeg does. */
function failure(
  result: { isCanceled: boolean; code?: string | undefined; exitCode?: number | undefined },
  stderr: string,
  executable: string,
  signal: AbortSignal | undefined,
): never {
  if (result.isCanceled && signal?.aborted) throw signal.reason;
  if (result.code === "ENOENT" || result.code === "EACCES") {
    throw new AudioToolError(
      `ffmpeg is not installed or not executable (${executable}); install ffmpeg ` +
        "(e.g. `apt-get install ffmpeg`) and run `npm install` again",
      "FFMPEG_NOT_FOUND",
    );
  }
  const lines = stderr
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== "");
  throw new AudioToolError(
    `ffmpeg failed to normalize loudness (exit code ${result.exitCode ?? "none"}): ${lines.at(-1) ?? "no error output"}`,
    "AUDIO_TOOL_FAILED",
    lines.slice(-8).join("\n"),
  );
}

/** The last JSON block loudnorm printed. */
function parseReport(stderr: string): LoudnormReport {
  const blocks = stderr.match(/\{[^{}]*"input_i"[^{}]*\}/g);
  const last = blocks?.at(-1);
  if (last === undefined) {
    throw new AudioToolError("ffmpeg's loudnorm printed no measurement", "AUDIO_TOOL_FAILED", stderr.slice(-2000));
  }
  return JSON.parse(last) as LoudnormReport;
}

function toMeasurement(report: LoudnormReport): LoudnessMeasurement {
  const integrated = reading(report.input_i);
  return {
    integrated_lufs: integrated !== null && integrated > ABSOLUTE_GATE_LUFS ? integrated : null,
    true_peak_dbtp: reading(report.input_tp),
    lra_lu: integrated === null ? null : reading(report.input_lra),
  };
}

/** loudnorm prints "-inf" and "inf" for silence; JSON numbers cannot hold them. */
function reading(value: string): number | null {
  const n = Number(value);
  return Number.isFinite(n) ? n : null;
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

function round2(x: number): number {
  return Math.round(x * 100) / 100;
}
