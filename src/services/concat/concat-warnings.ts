/**
 * What a concatenation tells the client about settings that did nothing (so nothing is ignored silently):
 * unknown fields, settings of a stage that is off, and gap settings that no join used, judged from the joins
 * the audio core actually made.
 */
import type { ConcatReport } from "../../audio/concat/types.js";
import { switchedOffWarnings, unknownFieldWarnings } from "../request-warnings.js";
import type { ConcatRequest } from "./concat-request.js";

/** Warnings known before any audio work. */
export function requestWarnings(request: ConcatRequest): string[] {
  const { settings, explicitFields: sent } = request;
  const warnings = [
    ...unknownFieldWarnings(request.unknownFields, request.mode === "concat" ? "concat" : "mixed concat"),
    ...switchedOffWarnings(settings, sent),
  ];
  if (sent.has("pause_variation_ms") && settings.pause_duration_ms === 0) {
    warnings.push("pause_variation_ms had no effect: pause_duration_ms=0 switches natural pauses off");
  }
  if (sent.has("overwrite") && settings.output_filename === null) {
    warnings.push("overwrite had no effect: it applies to output_filename; generated names are always new");
  }
  return warnings;
}

/** Warnings about gap settings no join used (e.g. a crossfade where every join has a silence or a pause). */
export function joinWarnings(request: ConcatRequest, report: ConcatReport): string[] {
  const { settings, explicitFields: sent } = request;
  const used = new Set(report.gaps.map((gap) => gap.kind));
  const why = report.gaps.length === 0 ? "there is only one clip" : "no join between two clips used it";
  const warnings: string[] = [];
  if (settings.pause_duration_ms > 0 && !used.has("pause")) {
    warnings.push(`pause_duration_ms had no effect: ${why} (manual silences take the place of pauses)`);
  }
  if (settings.crossfade_ms > 0 && !used.has("crossfade")) {
    warnings.push(`crossfade_ms had no effect: ${why} (silences and pauses take the place of crossfades)`);
  }
  if (sent.has("seed") && !used.has("pause")) warnings.push("seed had no effect: it only draws natural pauses");
  return [...warnings, ...report.warnings];
}
