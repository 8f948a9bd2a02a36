/**
 * The multipart form of POST /api/v1/voice. Its fields are read one by one by the route (library-forms.ts
 * checks each), not by one zod object, so this is their description; `default_parameters` points at the
 * TTS fields, which are zod's.
 */
import type { JsonSchema } from "./json-schema.js";

export function voiceUploadForm(file: JsonSchema): JsonSchema {
  return {
    type: "object",
    properties: {
      voice_file: file,
      name: { type: "string", description: "Display name; the file name without extension when left out." },
      description: { type: "string", description: "Free text about the voice; searchable." },
      tags: { type: "string", description: "Comma-separated tags, e.g. 'narration, calm'." },
      folder_path: {
        type: "string",
        description:
          "Folder under reference_audio/ to store the voice in, created when missing; the top folder when empty.",
      },
      project: { type: "string", description: "Another name for folder_path; both with different values is an error." },
      default_parameters: {
        type: "string",
        contentMediaType: "application/json",
        contentSchema: { type: "object", description: "TTS fields (see TtsRequest) and the values this voice uses." },
        description: 'TTS request defaults for this voice, as a JSON object, e.g. {"exaggeration": 0.7}.',
      },
      overwrite: {
        type: "boolean",
        default: false,
        description: "Replace an existing voice of the same name in that folder, metadata included.",
      },
    },
    required: ["voice_file"],
  };
}
