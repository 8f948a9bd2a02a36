/**
 * Errors raised by the audio layer. ffmpeg only reads files the server wrote, so a missing or failing tool is
 * always the server's problem; it gets its own class so the HTTP layer can map it to 500/503.
 */
import { DomainError } from "../domain/errors.js";

/** Stable codes of {@link AudioToolError}. */
export type AudioToolErrorCode = "FFMPEG_NOT_FOUND" | "AUDIO_TOOL_FAILED";

/**
 * An external audio tool (ffmpeg) is not installed or failed.
 * `detail` carries the tail of the tool's stderr for the log; the message is safe to show.
 */
export class AudioToolError extends DomainError {
  constructor(
    message: string,
    readonly code: AudioToolErrorCode,
    detail?: string,
  ) {
    super(message, detail);
  }
}
