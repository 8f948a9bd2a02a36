/** The companion JSON of a VC output: what was asked, how the conversion ran, and what came out. */
import { fileKey, type PublishedFile } from "../../storage/output-store.js";
import type { VcRequest } from "./vc-request.js";

export interface VcConversionInfo {
  engine: string;
  /** How the target voice shaped the output, as the engine says (neural conversion or a signal-level shift). */
  voiceMethod: string;
  chunks: number;
  sampleRate: number;
  durationSeconds: number;
  sourceDurationSeconds: number;
  watermarked: boolean;
  /** Post-processing stages in the order they ran, with what each measured. */
  postProcessing: unknown[];
  processingTimeSeconds: number;
  warnings: string[];
}

/** How the input was named in the request, for the metadata: its name or URL, or the uploaded file's name. */
function describeInput(input: VcRequest["input"]): string {
  return typeof input === "string" ? input : `upload:${input.originalName ?? "unnamed"}`;
}

export function vcMetadata(request: VcRequest, info: VcConversionInfo, files: PublishedFile[]): object {
  return {
    type: "vc",
    created_at: new Date().toISOString(),
    parameters: {
      input_audio_source: describeInput(request.input),
      target_voice_source: request.target,
      project: request.project ?? null,
      ...request.options,
    },
    generation_info: {
      engine: info.engine,
      voice_method: info.voiceMethod,
      processing_time_seconds: info.processingTimeSeconds,
      chunks_processed: info.chunks,
      sample_rate: info.sampleRate,
      duration_seconds: info.durationSeconds,
      source_duration_seconds: info.sourceDurationSeconds,
      watermarked: info.watermarked,
      post_processing: info.postProcessing,
    },
    files: Object.fromEntries(files.map((file) => [fileKey(file), file.filename])),
    warnings: info.warnings,
  };
}
