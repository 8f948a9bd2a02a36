/**
 * Errors raised by the audio layer. Audio a client sent that cannot be decoded is the client's fault: 400
 * `INVALID_AUDIO`. A missing or failing tool on anything else (our own files, our own output) is the server's
 * problem and gets its own class so the HTTP layer can map it to 500/503.
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

/** The 400 error for audio a client sent that cannot be read. The message must not name server paths. */
export function invalidAudio(message: string): BadRequestError {
  return new BadRequestError(message, "INVALID_AUDIO");
}
