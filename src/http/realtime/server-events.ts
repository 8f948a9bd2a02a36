/**
 * The server's events on the realtime speech WebSocket (docs/api/realtime.md). Errors carry OpenAI's error
 * object, built by the same two functions as the HTTP error bodies of /v1, so a domain error reads the same
 * on both transports; unexpected errors are logged here with their stack and shown only as a generic message.
 */
import type { Logger } from "../../logging.js";
import { toErrorResponse } from "../error-table.js";
import { toOpenAiError, type OpenAiErrorBody } from "../openai/openai-error.js";
import type { PublicSettings } from "./session-settings.js";

export interface SpeechUsage {
  /** Characters of text the engine spoke for the item (after preprocessing, as /v1/audio/speech counts them). */
  input_characters: number;
  /** Milliseconds of audio the item's deltas hold. */
  output_audio_ms: number;
}

export type ServerEvent =
  | { type: "session.created" | "session.updated"; session: PublicSettings & { id: string } }
  | { type: "speech.audio.delta"; item_id: string; audio: string }
  | { type: "speech.audio.done"; item_id: string; usage: SpeechUsage; warnings: string[] }
  | { type: "input_text.cleared"; item_id: string | null }
  | { type: "response.cancelled"; item_id: string | null }
  | ErrorEvent;

export interface ErrorEvent {
  type: "error";
  /** The item the error is about, when it is about one. */
  item_id?: string;
  error: OpenAiErrorBody["error"] & { event_id?: string };
}

/** What an error event is about: the item, and the client's event (its `event_id`). */
export interface ErrorContext {
  itemId?: string | undefined;
  eventId?: string | undefined;
  log: Logger;
}

export function errorEvent(error: unknown, context: ErrorContext): ErrorEvent {
  const response = toErrorResponse(error);
  const log = context.itemId ? context.log.child({ itemId: context.itemId }) : context.log;
  if (response.unexpected) log.error({ err: error }, "realtime: unexpected error");
  else log.info({ code: response.body.error_code }, response.body.error);
  const { error: body } = toOpenAiError(response).body;
  return {
    type: "error",
    ...(context.itemId ? { item_id: context.itemId } : {}),
    error: context.eventId ? { ...body, event_id: context.eventId } : body,
  };
}
