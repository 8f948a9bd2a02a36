/**
 * Reading ffmpeg's `ebur128` meter (ITU-R BS.1770: integrated loudness, loudness range, true peak 4×
 * oversampled), shared by the loudness stage of TTS/VC (in memory) and the concat master (file to file).
 */
import { AudioToolError } from "./audio-errors.js";

/** The meter as a filter: its summary goes to the info level, its per-frame log to verbose (not read). */
export const EBUR128_METER = "ebur128=peak=true:framelog=verbose";

/** BS.1770's absolute gate: below it nothing is loud enough to measure. */
export const ABSOLUTE_GATE_LUFS = -70;

/** The meter's summary; null where there was nothing to measure (silence, or shorter than a 0.4 s block). */
export interface Ebur128Reading {
  integrated_lufs: number | null;
  true_peak_dbtp: number | null;
  lra_lu: number | null;
  /** The relative gate threshold, which loudnorm's dynamic mode takes as `measured_thresh`. */
  threshold_lufs: number;
}

/**
 * The meter's summary block: `I: -20.4 LUFS`, then its `Threshold`, `LRA: 0.7 LU`, and `Peak: -2.5 dBFS`
 * (`-inf` for silence). Integrated loudness at the absolute gate means no block was loud enough to count.
 * @throws AudioToolError when ffmpeg printed no summary.
 */
export function parseEbur128Summary(stderr: string): Ebur128Reading {
  const summary = stderr.slice(stderr.lastIndexOf("Summary:"));
  const value = (re: RegExp) => re.exec(summary)?.[1];
  const integrated = value(/I:\s+(-?[\d.]+) LUFS/);
  const threshold = value(/I:[^\n]*\n\s*Threshold:\s+(-?[\d.]+) LUFS/);
  const lra = value(/LRA:\s+(-?[\d.]+) LU/);
  const peak = value(/Peak:\s+(-?(?:[\d.]+|inf)) dBFS/);
  if (integrated === undefined || threshold === undefined || lra === undefined || peak === undefined) {
    throw new AudioToolError("ffmpeg's ebur128 meter printed no summary", "AUDIO_TOOL_FAILED", stderr.slice(-2000));
  }
  const i = Number(integrated);
  const measured = i > ABSOLUTE_GATE_LUFS;
  return {
    integrated_lufs: measured ? i : null,
    true_peak_dbtp: Number.isFinite(Number(peak)) ? Number(peak) : null,
    lra_lu: measured ? Number(lra) : null,
    threshold_lufs: Number(threshold),
  };
}
