/**
 * Field schemas every speech request shares at the edge (/api/v1/tts, /v1/audio/speech, the realtime
 * WebSocket's session.update), so a rule and its message are written once.
 */
import { z } from "zod";

const LANGUAGE_MESSAGE = "must be a two-letter ISO 639-1 code such as 'en'";

/** The language of the text: an ISO 639-1 code, lower case. */
export const languageCode = z.string({ error: LANGUAGE_MESSAGE }).regex(/^[a-z]{2}$/, { error: LANGUAGE_MESSAGE });

/** OpenAI's `voice`: a name, or `{id}` as its custom voices are passed. */
export const openAiVoice = z.union([z.string().min(1), z.object({ id: z.string().min(1) })], {
  error: "must be a voice name or {id}; GET /v1/audio/voices lists them",
});
