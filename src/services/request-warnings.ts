/** Warnings every generating request (TTS, VC) can carry, so nothing it asked for is ignored silently. */

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
