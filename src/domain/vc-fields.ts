/**
 * The fields of a voice-conversion request that have defaults (spec §3.2, plus pitch shift and the
 * post-processing VC shares with TTS). Shared by the config (`vc_defaults`) and the HTTP request schema,
 * so a range is written once; the shared fields take their rules from the TTS ones.
 */
import type { z } from "zod";
import { POST_PROCESSING_FIELDS } from "./post-processing-fields.js";
import { between, CONTRACT_TTS_DEFAULTS, intBetween, ttsFieldSchemas } from "./tts-fields.js";

/** Post-processing and export fields that mean the same in VC as in TTS. */
const SHARED = ["export_formats", "wav_sample_format", "disable_watermark", ...POST_PROCESSING_FIELDS] as const;
type SharedField = (typeof SHARED)[number];

const shared = Object.fromEntries(SHARED.map((name) => [name, ttsFieldSchemas[name]])) as {
  [K in SharedField]: (typeof ttsFieldSchemas)[K];
};

export const vcFieldSchemas = {
  chunk_sec: intBetween(1, 300).describe("Sources longer than this are converted in chunks of this many seconds."),
  overlap_sec: between(0, 5).describe(
    "Seconds each chunk overlaps the next, joined with an equal-power crossfade; less than chunk_sec.",
  ),
  pitch_shift: between(-12, 12).describe(
    "Semitones the result's pitch moves away from the target voice's (-12 to 12).",
  ),
  ...shared,
} as const;

export type VcFieldName = keyof typeof vcFieldSchemas;
export type VcDefaults = { [K in VcFieldName]: z.output<(typeof vcFieldSchemas)[K]> };

/** The contract's defaults; config.yaml `vc_defaults` may override any of them. */
export const CONTRACT_VC_DEFAULTS: VcDefaults = {
  chunk_sec: 60,
  overlap_sec: 0.1,
  pitch_shift: 0,
  ...(Object.fromEntries(SHARED.map((name) => [name, CONTRACT_TTS_DEFAULTS[name]])) as Pick<
    typeof CONTRACT_TTS_DEFAULTS,
    SharedField
  >),
};
