/** Warnings every generating request (TTS, VC) can carry, so nothing it asked for is ignored silently. */

/** Settings that only matter while their switch is on, and what "off" means for the switch. */
const SWITCHED_SETTINGS: ReadonlyArray<{ switch: string; off: (value: unknown) => boolean; fields: string[] }> = [
  { switch: "use_auto_editor", off: (v) => v === false, fields: ["keep_original_wav_ae", "ae_threshold", "ae_margin"] },
  { switch: "trim", off: (v) => v === false, fields: ["trim_threshold_ms"] },
  {
    switch: "normalize_audio",
    off: (v) => v === false,
    fields: ["normalize_method", "normalize_level", "normalize_tp", "normalize_lra"],
  },
  { switch: "speed_factor", off: (v) => v === 1, fields: ["speed_factor_library"] },
];

/**
 * One warning per switch that is off while the client sent settings of it (`ae_margin` without
 * `use_auto_editor`): they were accepted but did nothing. Switches the request type does not have are skipped.
 */
export function switchedOffWarnings(options: object, sent: ReadonlySet<string>): string[] {
  const values = options as Record<string, unknown>;
  return SWITCHED_SETTINGS.flatMap(({ switch: name, off, fields }) => {
    const sentFields = fields.filter((field) => sent.has(field));
    if (!(name in values) || !off(values[name]) || sentFields.length === 0) return [];
    const setting = `${name}=${JSON.stringify(values[name])}`;
    return [`${sentFields.join(", ")} had no effect: ${setting} switches that stage off`];
  });
}

/** One warning per body field that is not part of the request. */
export function unknownFieldWarnings(fields: readonly string[], requestName: string): string[] {
  return fields.map((field) => `Unknown field '${field}' is not part of the ${requestName} request and was not used`);
}

/** The watermark is decided by the engine; say so when that differs from what the request asked. */
export function watermarkWarning(disableWatermark: boolean, watermarked: boolean, engine: string): string | undefined {
  if (disableWatermark && watermarked) {
    return `the ${engine} engine always embeds the Perth watermark; disable_watermark=true could not be honoured`;
  }
  if (!disableWatermark && !watermarked) {
    return `the ${engine} engine does not embed a watermark; disable_watermark=false could not be honoured`;
  }
  return undefined;
}
