/** Response bodies the operations share: audio files, JSON objects, event streams. */
import { STREAM_CONTENT_TYPES } from "../../audio/stream-encoder.js";
import type { JsonSchema } from "./json-schema.js";

const bytes: JsonSchema = { type: "string", format: "binary" };

/** The media types of our export formats (storage/media-types.ts): wav, mp3, flac, opus, aac, pcm. */
const EXPORT_MEDIA_TYPES = [
  "audio/wav",
  "audio/mpeg",
  "audio/flac",
  "audio/ogg",
  "audio/mp4",
  "application/octet-stream",
];

/** An audio file in any export format (the one `return_format` picks). */
export function exportedAudio(): Record<string, JsonSchema> {
  return Object.fromEntries(EXPORT_MEDIA_TYPES.map((type) => [type, { schema: bytes }]));
}

/** OpenAI's speech formats, streamed as they are produced. */
export function streamedAudio(): Record<string, JsonSchema> {
  return Object.fromEntries([...new Set(Object.values(STREAM_CONTENT_TYPES))].map((type) => [type, { schema: bytes }]));
}

/** A JSON object, described in words (the shapes are in docs/api/). */
export function json(description?: string, example?: unknown): Record<string, JsonSchema> {
  return {
    "application/json": {
      schema: { type: "object", ...(description ? { description } : {}) },
      ...(example === undefined ? {} : { example }),
    },
  };
}

export function ref(name: string): JsonSchema {
  return { $ref: `#/components/schemas/${name}` };
}

export const eventStream: Record<string, JsonSchema> = { "text/event-stream": { schema: { type: "string" } } };

/** The answers of the generating endpoints: the audio (stream/file/download modes) or JSON (json/url). */
export function generated(what: string): Record<string, JsonSchema> {
  return { ...exportedAudio(), ...json(`${what}: output_files, metadata, warnings (response_mode json or url).`) };
}

/** Headers of a generated audio answer (docs/api/tts.md). */
export const generatedHeaders: JsonSchema = {
  "X-Alternative-Formats": {
    description: "The other formats made, as format:url joined by |.",
    schema: { type: "string" },
  },
  "X-Generation-Seed": { description: "The seed used.", schema: { type: "string" } },
  "X-Warnings": { description: "A JSON array of warnings, when there are any.", schema: { type: "string" } },
};
