/**
 * The request bodies of the API as OpenAPI components, built from the zod schemas that parse them with the
 * limits and defaults of the running config. The studio reads these by name (TtsRequest, VcRequest, ...) to
 * draw its forms, so the names are part of the contract.
 */
import type { AppConfig } from "../../config/app-config.js";
import { CONCAT_DEFAULTS } from "../schemas/concat-fields.js";
import { mixedConcatSchema } from "../schemas/concat-mixed-request.js";
import { concatBodySchema } from "../schemas/concat-request.js";
import { jobSubmissionSchema, segmentRenderSchema } from "../schemas/job-request.js";
import { voiceMetadataSchema } from "../schemas/library-forms.js";
import { speechSchema } from "../schemas/openai-speech.js";
import { voiceFormShape } from "../schemas/openai-voice-params.js";
import { transcriptionSchema, translationSchema } from "../schemas/transcription-form.js";
import { ttsBodySchema } from "../schemas/tts-request.js";
import { vcBodySchema } from "../schemas/vc-request.js";
import { z } from "zod";
import { jsonSchemaOf, withDefaults, type JsonSchema } from "./json-schema.js";
import { voiceUploadForm } from "./voice-upload-form.js";

const binary = (description: string): JsonSchema => ({
  type: "string",
  format: "binary",
  contentMediaType: "application/octet-stream",
  description,
});

/** A multipart form: the text fields of `fields`, plus file parts. */
function multipartForm(fields: JsonSchema, files: Record<string, JsonSchema>, required: string[]): JsonSchema {
  const properties = { ...(fields.properties as Record<string, JsonSchema>), ...files };
  const all = [...((fields.required as string[] | undefined) ?? []), ...required];
  return { type: "object", properties, required: all };
}

export function requestSchemas(config: AppConfig): Record<string, JsonSchema> {
  const ttsRequest = (maxTextLength: number) =>
    withDefaults(jsonSchemaOf(ttsBodySchema(maxTextLength)), config.ttsDefaults);
  const concatCommon = { ...CONCAT_DEFAULTS, pause_variation_ms: undefined };
  const mixed = withDefaults(jsonSchemaOf(mixedConcatSchema(config.concat.maxItems)), concatCommon);
  return {
    TtsRequest: ttsRequest(config.api.maxTextLength),
    VcRequest: withDefaults(jsonSchemaOf(vcBodySchema(true)), config.vcDefaults),
    VcForm: multipartForm(
      withDefaults(jsonSchemaOf(vcBodySchema(false)), config.vcDefaults),
      { input_audio: binary("The recording to convert, in any format ffmpeg reads.") },
      ["input_audio"],
    ),
    ConcatRequest: withDefaults(jsonSchemaOf(concatBodySchema(config.concat.maxItems)), concatCommon),
    ConcatMixedRequest: mixed,
    ConcatMixedForm: {
      type: "object",
      properties: {
        request_json: { type: "string", contentMediaType: "application/json", contentSchema: mixed },
        uploaded_files: {
          type: "array",
          items: binary("An audio file; upload segments name it by its position, from 0."),
        },
      },
      required: ["request_json"],
    },
    OpenAiSpeechRequest: withDefaults(jsonSchemaOf(speechSchema(config.openai.maxInputChars)), {
      speed: config.ttsDefaults.speed_factor,
      exaggeration: config.ttsDefaults.exaggeration,
      cfg_weight: config.ttsDefaults.cfg_weight,
      temperature: config.ttsDefaults.temperature,
    }),
    JobRequest: jobRequest(),
    JobTtsRequest: ttsRequest(config.jobs.maxTextLength),
    SegmentRender: jsonSchemaOf(segmentRenderSchema),
    VoiceUploadForm: voiceUploadForm(binary("The voice recording (WAV, MP3, FLAC...).")),
    VoiceMetadataPatch: voiceMetadata(),
    OpenAiVoiceForm: multipartForm(
      jsonSchemaOf(z.object(voiceFormShape)),
      { audio_sample: binary("A recording of the voice.") },
      ["audio_sample"],
    ),
    TranscriptionForm: multipartForm(jsonSchemaOf(transcriptionSchema), { file: binary("The audio to transcribe.") }, [
      "file",
    ]),
    TranslationForm: multipartForm(jsonSchemaOf(translationSchema), { file: binary("The audio to translate.") }, [
      "file",
    ]),
  };
}

/** `request` is the body of the synchronous endpoint of `type`, validated by that endpoint's parser. */
function jobRequest(): JsonSchema {
  const schema = jsonSchemaOf(jobSubmissionSchema);
  const properties = schema.properties as Record<string, JsonSchema>;
  const request = {
    description: "The body the synchronous endpoint of this type takes (POST /api/v1/tts, /vc or /concat).",
    anyOf: [
      { $ref: "#/components/schemas/JobTtsRequest" },
      { $ref: "#/components/schemas/VcRequest" },
      { $ref: "#/components/schemas/ConcatRequest" },
    ],
  };
  return { ...schema, properties: { ...properties, request } };
}

/** `default_parameters` takes the TTS fields, each with the TtsRequest rules. */
function voiceMetadata(): JsonSchema {
  const schema = jsonSchemaOf(voiceMetadataSchema);
  const properties = schema.properties as Record<string, JsonSchema>;
  const defaults = {
    description: "Request defaults of this voice: TTS fields and their values, checked like a TTS request's.",
    type: ["object", "null"],
  };
  return { ...schema, properties: { ...properties, default_parameters: defaults } };
}
