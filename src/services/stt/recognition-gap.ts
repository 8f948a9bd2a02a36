/**
 * The one rule for whether speech recognition can serve a request: faster-whisper must be installed in the
 * sidecar, and some model must be usable (installed, or downloadable: the sidecar lists downloadable names only
 * when downloads are allowed). Each caller words the answer for its own audience.
 */
import type { TranscriptionModels } from "../../domain/inference.js";

export type RecognitionGap = "not_installed" | "no_model";

export function recognitionGap(models: TranscriptionModels): RecognitionGap | undefined {
  if (!models.available) return "not_installed";
  return models.models.length === 0 ? "no_model" : undefined;
}
