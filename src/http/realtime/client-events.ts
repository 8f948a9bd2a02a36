/**
 * The client's events on the realtime speech WebSocket (docs/api/realtime.md), validated at the edge: a text
 * frame holding one JSON object whose `type` names the event. Anything else is a domain error the session
 * answers with an `error` event (OpenAI's error object), so a client bug never closes the socket.
 */
import { z } from "zod";
import { BadRequestError } from "../../domain/errors.js";
import { ttsFieldSchemas } from "../../domain/tts-fields.js";
import { toFieldIssues, validationFailed } from "../schemas/field-issues.js";
import { languageCode, openAiVoice } from "../schemas/speech-fields.js";

/** The audio encodings a session can stream; `pcm` is 24 kHz 16-bit little-endian mono. */
export const REALTIME_FORMATS = ["pcm", "wav", "mp3", "opus"] as const;
export type RealtimeFormat = (typeof REALTIME_FORMATS)[number];

/** Each field may be null, which restores the server's default. */
const sessionFields = z.strictObject({
  voice: openAiVoice.nullable().optional(),
  response_format: z
    .enum(REALTIME_FORMATS, { error: `must be one of ${REALTIME_FORMATS.join(", ")}` })
    .nullable()
    .optional(),
  speed: ttsFieldSchemas.speed_factor.nullable().optional(),
  seed: ttsFieldSchemas.seed.nullable().optional(),
  exaggeration: ttsFieldSchemas.exaggeration.nullable().optional(),
  cfg_weight: ttsFieldSchemas.cfg_weight.nullable().optional(),
  temperature: ttsFieldSchemas.temperature.nullable().optional(),
  language: languageCode.nullable().optional(),
});

export type SessionUpdateFields = z.output<typeof sessionFields>;

/** Every event may carry the client's own `event_id`, which errors about it echo. */
const eventId = z.string({ error: "must be a string" }).max(128, { error: "must be at most 128 characters" });

const EVENT_SCHEMAS = {
  "session.update": z.strictObject({
    type: z.literal("session.update"),
    event_id: eventId.optional(),
    session: sessionFields,
  }),
  "input_text.append": z.strictObject({
    type: z.literal("input_text.append"),
    event_id: eventId.optional(),
    text: z.string({ error: "is required and must be a string" }),
  }),
  "input_text.flush": z.strictObject({ type: z.literal("input_text.flush"), event_id: eventId.optional() }),
  "input_text.clear": z.strictObject({ type: z.literal("input_text.clear"), event_id: eventId.optional() }),
  "response.cancel": z.strictObject({ type: z.literal("response.cancel"), event_id: eventId.optional() }),
  "input_text.end": z.strictObject({ type: z.literal("input_text.end"), event_id: eventId.optional() }),
} as const;

type EventType = keyof typeof EVENT_SCHEMAS;
export type ClientEvent = { [K in EventType]: z.output<(typeof EVENT_SCHEMAS)[K]> }[EventType];

/** A problem with an event as a whole (not JSON, no known type), named by `param` in the error object. */
function eventError(message: string, code: string, param: string): BadRequestError {
  return new BadRequestError(message, code, [{ loc: ["body", param], msg: message, type: code.toLowerCase() }]);
}

/** The `event_id` of a raw event, when it has a usable one, so even an invalid event's error can echo it. */
export function rawEventId(raw: unknown): string | undefined {
  const id = (raw as { event_id?: unknown } | null)?.event_id;
  return typeof id === "string" && id.length <= 128 ? id : undefined;
}

/** The JSON value of a text frame. @throws BadRequestError for a binary frame or text that is not JSON. */
export function decodeFrame(data: Buffer, isBinary: boolean): unknown {
  if (isBinary)
    throw eventError("Binary frames are not accepted: send JSON events as text frames", "BINARY_FRAME", "type");
  try {
    return JSON.parse(data.toString("utf8")) as unknown;
  } catch {
    throw eventError("The message is not valid JSON: send one JSON event per text frame", "INVALID_JSON", "type");
  }
}

/** @throws BadRequestError (not an event, unknown type) or ValidationError (a field breaks the contract). */
export function parseClientEvent(raw: unknown): ClientEvent {
  const type = (raw as { type?: unknown } | null)?.type;
  if (typeof raw !== "object" || raw === null || Array.isArray(raw) || typeof type !== "string") {
    throw eventError("An event must be a JSON object with a string `type`", "INVALID_EVENT", "type");
  }
  if (!Object.hasOwn(EVENT_SCHEMAS, type)) {
    const known = Object.keys(EVENT_SCHEMAS).join(", ");
    throw eventError(`Unknown event type '${type}'; the client events are ${known}`, "UNKNOWN_EVENT", "type");
  }
  const parsed = EVENT_SCHEMAS[type as EventType].safeParse(raw);
  if (!parsed.success) throw validationFailed(toFieldIssues(parsed.error.issues.map(naming), "body"));
  return parsed.data as ClientEvent;
}

/** An unknown field is reported at its own name, so the error's `param` names it rather than its object. */
function naming(issue: z.core.$ZodIssue): z.core.$ZodIssue {
  if (issue.code !== "unrecognized_keys" || issue.keys.length === 0) return issue;
  return { ...issue, path: [...issue.path, issue.keys[0]!], message: "is not a known field" };
}
