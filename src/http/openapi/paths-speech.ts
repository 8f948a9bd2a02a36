/** The operations that make or recognise speech: TTS, VC, concat, OpenAI's audio routes, the realtime socket. */
import { voiceListQueryShape } from "../schemas/openai-voice-params.js";
import { z } from "zod";
import { eventStream, generated, generatedHeaders, json, ref, streamedAudio } from "./content.js";
import type { RouteSpecs } from "./operation.js";

const deliveryQuery = [
  {
    name: "response_mode",
    in: "query",
    description: "stream, file or download: the audio; json or url: JSON describing every file. Wins over the body.",
    schema: { type: "string", enum: ["stream", "file", "download", "json", "url"] },
  },
];
const returnFormatQuery = {
  name: "return_format",
  in: "query",
  description: "Which of export_formats to send in the audio modes. Wins over the body.",
  schema: { type: "string" },
};

/** The body the browser test sends and the unit test parses: it must stay a valid request. */
export const TTS_EXAMPLE = { text: "Hello! This voice comes from the speech server.", export_formats: ["wav"] };

export const speechRouteSpecs: RouteSpecs = {
  "POST /api/v1/tts": {
    operationId: "createSpeech",
    summary: "Speak text",
    tag: "TTS",
    description:
      "Turns text into speech with the engine and voice asked for; defaults come from config tts_defaults. The answer is the audio (stream, file, download) or JSON describing every file made (json, url).",
    parameters: [
      ...deliveryQuery,
      returnFormatQuery,
      {
        name: "progressive",
        in: "query",
        description: "true: stream the audio while it is spoken (response_mode stream only).",
        schema: { type: "boolean" },
      },
    ],
    body: { "application/json": { schema: ref("TtsRequest"), example: TTS_EXAMPLE } },
    ok: {
      description: "The audio, or JSON describing it.",
      content: generated("The files made"),
      headers: generatedHeaders,
    },
    errors: [400, 404, 409, 413, 415, 422, 504],
  },
  "POST /api/v1/vc": {
    operationId: "convertVoice",
    summary: "Convert a recording to another voice",
    tag: "VC",
    description:
      "JSON names both sources; multipart uploads the recording as input_audio with the other fields as text. Defaults come from config vc_defaults.",
    parameters: [...deliveryQuery, returnFormatQuery],
    body: {
      "application/json": {
        schema: ref("VcRequest"),
        example: { input_audio_source: "interview.wav", target_voice_source: "narrator.wav", export_formats: ["wav"] },
      },
      "multipart/form-data": { schema: ref("VcForm") },
    },
    ok: {
      description: "The converted audio, or JSON describing it.",
      content: generated("The files made"),
      headers: generatedHeaders,
    },
    errors: [400, 404, 409, 413, 415, 422, 504],
  },
  "POST /api/v1/concat": {
    operationId: "concatAudio",
    summary: "Join outputs and silences",
    tag: "Concat",
    description: "Joins files in outputs/ in order, with silences written like (500ms), pauses and crossfades.",
    parameters: deliveryQuery,
    body: {
      "application/json": {
        schema: ref("ConcatRequest"),
        example: { files: ["book/ch1.wav", "(1s)", "book/ch2.wav"], export_formats: ["wav"] },
      },
    },
    ok: { description: "The joined audio, or JSON describing it.", content: generated("The files made") },
    errors: [400, 404, 409, 413, 415, 422],
  },
  "POST /api/v1/concat/mixed": {
    operationId: "concatMixed",
    summary: "Join outputs, uploads and silences",
    tag: "Concat",
    description:
      "A multipart form: request_json holds the segments and settings; uploaded_files the files they name by index.",
    parameters: deliveryQuery,
    body: {
      "multipart/form-data": {
        schema: ref("ConcatMixedForm"),
        example: {
          request_json: JSON.stringify({
            segments: [
              { type: "server_file", source: "intro.wav" },
              { type: "silence", source: "(500ms)" },
              { type: "upload", index: 0 },
            ],
          }),
        },
      },
    },
    ok: { description: "The joined audio, or JSON describing it.", content: generated("The files made") },
    errors: [400, 404, 409, 413, 415, 422],
  },
  "POST /v1/audio/speech": {
    operationId: "openAiCreateSpeech",
    summary: "Speak text (OpenAI-compatible)",
    tag: "OpenAI",
    description:
      "OpenAI's speech endpoint: the audio streams as it is produced, or Server-Sent Events with stream_format sse.",
    body: {
      "application/json": {
        schema: ref("OpenAiSpeechRequest"),
        example: { model: "tts-1", input: "Hello from the speech server.", voice: "alloy", response_format: "wav" },
      },
    },
    ok: { description: "The audio, streamed.", content: { ...streamedAudio(), ...eventStream } },
    errors: [400, 404, 413, 415, 504],
  },
  "GET /v1/audio/speech/ws": {
    operationId: "openAiRealtimeSpeech",
    summary: "Realtime speech over a WebSocket",
    tag: "Realtime",
    description:
      "Connect with a WebSocket client (Upgrade: websocket): send session.update and text events, receive audio deltas as they are spoken. docs/api/realtime.md describes the events. A plain GET is answered 426.",
    ok: { status: 101, description: "Switching protocols: the WebSocket session starts." },
    errors: [426],
  },
  "GET /v1/models": {
    operationId: "openAiListModels",
    summary: "List models",
    tag: "OpenAI",
    ok: {
      description: "OpenAI's model list: the speech names and the loaded engines.",
      content: json("{object: list, data}"),
    },
    errors: [],
  },
  "GET /v1/models/*path": {
    operationId: "openAiGetModel",
    pathText: "The model's id, e.g. tts-1 or espeak.",
    summary: "One model",
    tag: "OpenAI",
    ok: { description: "The model.", content: json() },
    errors: [404],
  },
  "GET /v1/audio/voices": {
    operationId: "openAiListVoices",
    summary: "List voices",
    tag: "OpenAI",
    query: z.object(voiceListQueryShape),
    ok: {
      description: "The library's voices and aliases, a page at a time.",
      content: json("{object: list, data, has_more}"),
    },
    errors: [400],
  },
  "POST /v1/audio/voices": {
    operationId: "openAiCreateVoice",
    summary: "Add a voice",
    tag: "OpenAI",
    body: {
      "multipart/form-data": { schema: ref("OpenAiVoiceForm"), example: { name: "Narrator", folder: "openai" } },
    },
    ok: { description: "The voice created.", content: json() },
    errors: [400, 409, 413, 415],
  },
  "POST /v1/audio/transcriptions": {
    operationId: "openAiTranscribe",
    summary: "Transcribe audio",
    tag: "Transcriptions",
    description: "OpenAI's transcription endpoint, run by faster-whisper in the sidecar.",
    body: {
      "multipart/form-data": {
        schema: ref("TranscriptionForm"),
        example: { model: "whisper-1", response_format: "json" },
      },
    },
    ok: {
      description:
        "The transcript in the format asked for (json, text, srt, verbose_json, vtt), or events with stream=true.",
      content: { ...json(), "text/plain": { schema: { type: "string" } }, ...eventStream },
    },
    errors: [400, 413, 415, 501, 504],
  },
  "POST /v1/audio/translations": {
    operationId: "openAiTranslate",
    summary: "Translate audio into English text",
    tag: "Transcriptions",
    body: { "multipart/form-data": { schema: ref("TranslationForm"), example: { model: "whisper-1" } } },
    ok: {
      description: "The English transcript in the format asked for.",
      content: { ...json(), "text/plain": { schema: { type: "string" } } },
    },
    errors: [400, 413, 415, 501, 504],
  },
};
