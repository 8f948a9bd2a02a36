/**
 * The errors a realtime session raises itself (its limits and its end), as domain errors so that their `error`
 * events are built like every other: BadRequestError with a stable code, `param` naming the field at fault.
 */
import { BadRequestError } from "../../domain/errors.js";

export function sessionEndingError(): BadRequestError {
  return new BadRequestError(
    "The session is ending (input_text.end was sent): no more text is taken",
    "SESSION_ENDING",
  );
}

export function pendingTextLimitError(pending: number, limit: number): BadRequestError {
  const message =
    `The text was not taken: ${pending} characters already wait for synthesis and at most ${limit} may ` +
    "(config openai.realtime_max_pending_chars); append it again once audio has arrived";
  return new BadRequestError(message, "PENDING_TEXT_LIMIT", [
    { loc: ["body", "text"], msg: message, type: "pending_text_limit" },
  ]);
}

export function idleTimeoutError(timeoutMs: number): BadRequestError {
  const message = `No event for ${timeoutMs / 1000} s (config openai.realtime_idle_timeout_seconds): the session is closed`;
  return new BadRequestError(message, "IDLE_TIMEOUT");
}
