/**
 * Errors raised by the audio layer. Bad client audio is a 400 (`INVALID_AUDIO`); a missing or failing audio
 * tool is the server's problem and gets its own class so the HTTP layer can map it to 500/503.
 */
import { BadRequestError, DomainError } from "../domain/errors.js";

/** Stable codes of {@link AudioToolError}. */
export type AudioToolErrorCode = "FFMPEG_NOT_FOUND" | "AUDIO_TOOL_FAILED";

/**
 * An external audio tool (ffmpeg) is not installed or failed on input we had no reason to reject.
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

/** Builds the 400 error for audio the client sent that cannot be read. */
export function invalidAudio(message: string): BadRequestError {
  return new BadRequestError(message, "INVALID_AUDIO");
}
