/**
 * The one post-processing order for TTS (and VC, which shares the fields), after the engine has spoken and
 * the sidecar has applied any speed change:
 *
 *   1. silence compaction (`use_auto_editor`): long pauses between sounds shortened to `ae_margin`;
 *   2. trim (`trim`): long leading and trailing silence cut to 50 ms;
 *   3. loudness (`normalize_audio`): EBU R128 or true-peak normalization.
 *
 * Compaction comes first because it leaves the ends alone and trimming then judges them on the final
 * content; loudness comes last so it measures exactly what is delivered (a later cut would change the
 * loudness range and gating, and any later gain would undo the target). Each stage that was asked for is
 * timed and recorded with its measurements, in this order; stages not asked for are not recorded.
 */
import { normalizeLoudness, type LoudnessInfo } from "../../audio/loudness.js";
import type { FfmpegCommonOptions } from "../../audio/ffmpeg-run.js";
import { compactSilences, type CompactionInfo } from "../../audio/silence-compaction.js";
import { trimSilence, type TrimInfo } from "../../audio/trim.js";
import type { MonoPcm } from "../../domain/audio.js";
import type { PostProcessingField } from "../../domain/post-processing-fields.js";
import type { TtsDefaults } from "../../domain/tts-fields.js";

/** The request fields the chain reads; TTS and VC requests both carry them. */
export type PostProcessingFields = Pick<TtsDefaults, PostProcessingField>;

/** Cancellation and the ffmpeg executable, for the loudness stage. */
export type PostProcessingContext = FfmpegCommonOptions;

/** Wall time of a stage, in ms (one decimal). */
interface Timed {
  ms: number;
}

export type CompactionStage = Timed &
  CompactionInfo & { name: "silence_compaction"; applied: boolean; threshold: number; margin_ms: number };
export type TrimStage = Timed & TrimInfo & { name: "trim"; applied: boolean };
export type LoudnessStage = Timed & LoudnessInfo & { name: "loudness" };
/** The speed change, done by the sidecar on each segment (TTS); `ms` is the sidecar's stretching time. */
export type SpeedStage = Timed & { name: "speed"; applied: true; speed_factor: number; library: string | null };
/** One stage's record for the metadata: name, whether it changed the audio, its wall time and measurements. */
export type StageRecord = SpeedStage | CompactionStage | TrimStage | LoudnessStage;

export interface PostProcessingResult {
  pcm: MonoPcm;
  /** The stages asked for, in the order they ran. */
  stages: StageRecord[];
  /** The audio before silence compaction, when `keep_original_wav_ae` asks for `<stem>_original.wav`. */
  original: MonoPcm | undefined;
  /** Requests a stage could not fully honour (e.g. a loudness target out of reach), for the response. */
  warnings: string[];
}

/**
 * Runs the stages the fields ask for, in the documented order, and records each.
 * @throws AudioToolError when ffmpeg is missing or fails (loudness only); the abort reason when
 *   `context.signal` aborts.
 */
export async function runPostProcessing(
  pcm: MonoPcm,
  fields: PostProcessingFields,
  context: PostProcessingContext = {},
): Promise<PostProcessingResult> {
  const { signal } = context;
  const stages: StageRecord[] = [];
  const warnings: string[] = [];
  let audio = pcm;
  if (fields.use_auto_editor) {
    signal?.throwIfAborted();
    const stage = timed(() => compactionStage(audio, fields));
    audio = stage.pcm;
    stages.push(stage.record);
  }
  if (fields.trim) {
    signal?.throwIfAborted();
    const stage = timed(() => trimStage(audio, fields.trim_threshold_ms));
    audio = stage.pcm;
    stages.push(stage.record);
  }
  if (fields.normalize_audio) {
    signal?.throwIfAborted();
    const started = performance.now();
    const { pcm: normalized, info } = await normalizeLoudness(audio, {
      ...context,
      method: fields.normalize_method,
      integratedLufs: fields.normalize_level,
      truePeakDbtp: fields.normalize_tp,
      lraLu: fields.normalize_lra,
    });
    audio = normalized;
    stages.push({ name: "loudness", ...info, ms: elapsedMs(started) });
    if (info.warning !== undefined) warnings.push(info.warning);
  }
  const original = fields.use_auto_editor && fields.keep_original_wav_ae ? pcm : undefined;
  return { pcm: audio, stages, original, warnings };
}

interface StageOutput<R> {
  pcm: MonoPcm;
  record: Omit<R, "ms">;
}

function compactionStage(pcm: MonoPcm, fields: PostProcessingFields): StageOutput<CompactionStage> {
  const result = compactSilences(pcm, { threshold: fields.ae_threshold, marginSeconds: fields.ae_margin });
  const settings = { threshold: fields.ae_threshold, margin_ms: Math.round(fields.ae_margin * 1000) };
  const applied = result.info.silences_shortened > 0;
  return { pcm: result.pcm, record: { name: "silence_compaction", applied, ...settings, ...result.info } };
}

function trimStage(pcm: MonoPcm, thresholdMs: number): StageOutput<TrimStage> {
  const result = trimSilence(pcm, { thresholdMs });
  return { pcm: result.pcm, record: { name: "trim", applied: result.info.trimmed, ...result.info } };
}

/** Runs a synchronous stage and adds its wall time to its record. */
function timed<R extends StageRecord>(run: () => StageOutput<R>): { pcm: MonoPcm; record: R } {
  const started = performance.now();
  const { pcm, record } = run();
  return { pcm, record: { ...record, ms: elapsedMs(started) } as R };
}

function elapsedMs(started: number): number {
  return Math.round((performance.now() - started) * 10) / 10;
}
