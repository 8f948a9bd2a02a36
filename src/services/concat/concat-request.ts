/** A validated concatenation request, as both endpoints (`/concat` and `/concat/mixed`) hand it to the service. */
import type { ExportFormat, WavSampleFormat } from "../../domain/tts-fields.js";
import type { UploadedFile } from "../library/audio-upload.js";

/** One entry of the sequence, in order. */
export type ConcatSource =
  /** A file below outputs/, as the client named it (confined when resolved). */
  | { kind: "server_file"; path: string }
  /** The uploaded file with this index (mixed only). */
  | { kind: "upload"; index: number }
  /** A manual silence, already checked against the 50 ms–10 s range. */
  | { kind: "silence"; ms: number; notation: string };

/** The settings both endpoints share, under their wire names, defaults filled in. */
export interface ConcatSettings {
  export_formats: ExportFormat[];
  wav_sample_format: WavSampleFormat;
  normalize_levels: boolean;
  crossfade_ms: number;
  pause_duration_ms: number;
  /** Defaulted to min(200, pause/2) when not sent, so short pauses work without it. */
  pause_variation_ms: number;
  trim: boolean;
  trim_threshold_ms: number;
  /** 0: a seed is drawn (and reported) for the natural pauses. */
  seed: number;
  /** Integrated loudness of the result (ffmpeg loudnorm); null: not normalised as a whole. */
  loudness_target_lufs: number | null;
  /** The client's name for the result; null: a generated name (spec §4.1). */
  output_filename: string | null;
  /** Replace existing files of that name instead of answering 409. */
  overwrite: boolean;
}

export interface ConcatRequest {
  /** Which endpoint: it names generated files (`concat_…`, `mixed_…`). */
  mode: "concat" | "mixed";
  sources: ConcatSource[];
  /** The uploaded files, by index (mixed only; empty otherwise). */
  uploads: UploadedFile[];
  project: string | undefined;
  settings: ConcatSettings;
  /** Known fields the client sent, for "had no effect" warnings. */
  explicitFields: ReadonlySet<string>;
  /** Fields the request does not have (listed in `warnings`; segment fields as `segments[2].name`). */
  unknownFields: string[];
}
