/**
 * The body of OpenAI's POST /v1/audio/speech (conduit-openai.md §2.2) plus this server's documented
 * extensions (exaggeration, cfg_weight, temperature, seed, language), validated at the edge with every
 * problem in one 400. Fields neither OpenAI nor we define are reported as warnings, never dropped silently.
 */
import { z } from "zod";
import { STREAM_FORMATS } from "../../audio/stream-encoder.js";
import { ttsFieldSchemas } from "../../domain/tts-fields.js";
import { toFieldIssues, validationFailed } from "./field-issues.js";
import { languageCode, openAiVoice } from "./speech-fields.js";

const STREAM_KINDS = ["audio", "sse"] as const;

/** The JSON body; exported so GET /openapi.json describes the very schema that parses it. */
export function speechSchema(maxInputChars: number) {
  const tooLong = `must be at most ${maxInputChars} characters (config openai.max_input_chars)`;
  return z.object({
    model: z
      .string({ error: "is required (e.g. tts-1; GET /v1/models lists them)" })
      .min(1, { error: "is required" })
      .describe("tts-1, tts-1-hd, gpt-4o-mini-tts or an engine's own id (GET /v1/models lists them)."),
    input: z
      .string({ error: "is required and must be a string" })
      .refine((text) => text.trim() !== "", { error: "must not be empty" })
      .refine((text) => text.length <= maxInputChars, { error: tooLong })
      .meta({ description: "The text to speak.", maxLength: maxInputChars }),
    voice: openAiVoice.describe(
      "A library voice (its path or name), an alias, or {id}; GET /v1/audio/voices lists them.",
    ),
    instructions: z
      .string({ error: "must be a string" })
      .max(4096, { error: "must be at most 4096 characters" })
      .optional()
      .describe("How to speak, e.g. 'calm' or 'excited': mapped to a tone preset, else reported in X-Warnings."),
    response_format: z
      .enum(STREAM_FORMATS, { error: `must be one of ${STREAM_FORMATS.join(", ")}` })
      .default("mp3")
      .describe("Audio encoding: mp3, opus (Ogg), aac (ADTS), flac, wav (16-bit) or pcm (raw 16-bit mono)."),
    speed: ttsFieldSchemas.speed_factor.optional(),
    stream_format: z
      .enum(STREAM_KINDS, { error: `must be one of ${STREAM_KINDS.join(", ")}` })
      .default("audio")
      .describe("audio: the encoded bytes as they are produced; sse: Server-Sent Events carrying base64 chunks."),
    exaggeration: ttsFieldSchemas.exaggeration.optional(),
    cfg_weight: ttsFieldSchemas.cfg_weight.optional(),
    temperature: ttsFieldSchemas.temperature.optional(),
    seed: ttsFieldSchemas.seed.optional(),
    language: languageCode.optional().describe("Language of the text as a two-letter ISO 639-1 code, e.g. 'en'."),
  });
}

export type SpeechBody = z.output<ReturnType<typeof speechSchema>>;

export interface ParsedSpeechBody {
  body: SpeechBody;
  /** Body fields that are not part of the request. */
  unknownFields: string[];
}

export function createSpeechBodyParser(maxInputChars: number): (raw: unknown) => ParsedSpeechBody {
  const schema = speechSchema(maxInputChars);
  const known = new Set(Object.keys(schema.shape));
  return (raw) => {
    const parsed = schema.safeParse(raw);
    if (!parsed.success) throw validationFailed(toFieldIssues(parsed.error.issues, "body"));
    const sent = typeof raw === "object" && raw !== null ? Object.keys(raw) : [];
    // null is what some clients send for "not set"; it is not a request for anything.
    const given = sent.filter((name) => (raw as Record<string, unknown>)[name] !== null);
    return { body: parsed.data, unknownFields: given.filter((name) => !known.has(name)) };
  };
}
