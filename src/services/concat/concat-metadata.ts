/**
 * The companion JSON of a concatenation, and its `generation_info`, which the JSON answer also carries as
 * `metadata`: every item with its actual length, trim and gain, every gap between clips with its kind and
 * actual length (a pause's drawn variation too), the loudness pass, and the seed that repeats the pauses.
 */
import type { ClipReport, ConcatReport, GapReport, LoudnessReport, SilenceReport } from "../../audio/concat/types.js";
import { fileKey, type PublishedFile } from "../../storage/output-store.js";
import type { SourceFile } from "./concat-items.js";
import type { ConcatRequest, ConcatSource } from "./concat-request.js";

export interface ConcatFacts {
  report: ConcatReport;
  sourceFiles: SourceFile[];
  /** The seed the pauses were drawn with; null when no pause was inserted. */
  seedUsed: number | null;
  processingTimeSeconds: number;
  warnings: string[];
}

function itemView(item: ClipReport | SilenceReport): object {
  if (item.kind === "silence") return { type: "silence", label: item.label, ms: item.ms, frames: item.frames };
  return {
    type: "clip",
    label: item.label,
    source_seconds: item.sourceSeconds,
    leading_trimmed_ms: item.leadingTrimmedMs,
    trailing_trimmed_ms: item.trailingTrimmedMs,
    frames: item.frames,
    duration_seconds: item.durationSeconds,
    rms_dbfs: item.rmsDbfs,
    gain_db: item.gainDb,
    peak_dbfs: item.peakDbfs,
  };
}

function gapView(gap: GapReport): object {
  const pause = gap.kind === "pause" ? { base_ms: gap.baseMs, variation_ms: gap.variationMs } : {};
  return { after_item: gap.after, type: gap.kind, ms: gap.ms, frames: gap.frames, ...pause };
}

function loudnessView(loudness: LoudnessReport): object {
  return {
    target_lufs: loudness.targetLufs,
    input_lufs: loudness.inputLufs,
    output_lufs: loudness.outputLufs,
    mode: loudness.mode,
    true_peak_ceiling_dbtp: loudness.truePeakCeilingDbtp,
  };
}

/** How the request listed its entries: the basic endpoint's strings, or the mixed endpoint's segments. */
function sourcesView(request: ConcatRequest): { files: string[] } | { segments: object[] } {
  const text = (source: ConcatSource) =>
    source.kind === "silence" ? source.notation : source.kind === "server_file" ? source.path : "";
  if (request.mode === "concat") return { files: request.sources.map(text) };
  return {
    segments: request.sources.map((source) =>
      source.kind === "upload" ? { type: "upload", index: source.index } : { type: source.kind, source: text(source) },
    ),
  };
}

export function generationInfo(request: ConcatRequest, facts: ConcatFacts): Record<string, unknown> {
  const { report } = facts;
  const clips = report.items.filter((item) => item.kind === "clip").length;
  return {
    processing_time_seconds: facts.processingTimeSeconds,
    duration_seconds: report.durationSeconds,
    sample_rate: report.layout.sampleRate,
    channels: report.layout.channels,
    frames: report.frames,
    audio_segment_count: clips,
    silence_segment_count: report.items.length - clips,
    upload_count: request.uploads.length,
    seed_used: facts.seedUsed,
    items: report.items.map(itemView),
    gaps: report.gaps.map(gapView),
    loudness: report.loudness ? loudnessView(report.loudness) : null,
  };
}

export function concatMetadata(request: ConcatRequest, facts: ConcatFacts, files: PublishedFile[]): object {
  return {
    type: "concat",
    endpoint: request.mode === "concat" ? "/api/v1/concat" : "/api/v1/concat/mixed",
    created_at: new Date().toISOString(),
    parameters: { ...sourcesView(request), project: request.project ?? null, ...request.settings },
    generation_info: generationInfo(request, facts),
    source_files: facts.sourceFiles,
    files: Object.fromEntries(files.map((file) => [fileKey(file), file.filename])),
    warnings: facts.warnings,
  };
}
