/**
 * The request fields of the post-processing chain (docs/api/post-processing.md), in the chain's order:
 * silence compaction, trim, loudness. TTS and VC requests both take them. Import-free, so the studio's forms
 * read the same list.
 */
export const POST_PROCESSING_FIELDS = [
  "use_auto_editor",
  "keep_original_wav_ae",
  "ae_threshold",
  "ae_margin",
  "trim",
  "trim_threshold_ms",
  "normalize_audio",
  "normalize_method",
  "normalize_level",
  "normalize_tp",
  "normalize_lra",
] as const;

export type PostProcessingField = (typeof POST_PROCESSING_FIELDS)[number];
