import type { EngineChoice } from "../../domain/inference.js";
import type { TtsDefaults } from "../../domain/tts-fields.js";

/** A validated TTS request, as the TTS service receives it. */
export interface TtsRequest {
  /** Trimmed, non-empty, within the configured length. */
  text: string;
  /** A name inside reference_audio/ (spec §4.11); undefined uses the engine's built-in voice. */
  referenceAudioFilename: string | undefined;
  /** Folder below outputs/ (`project` or its alias `folder`); undefined or "" is the root. */
  project: string | undefined;
  /** ISO 639-1 code; undefined lets the engine use English. */
  language: string | undefined;
  /** The engine that speaks (`engine` on /api/v1/tts, `model` on /v1/audio/speech); undefined = the default. */
  engine?: EngineChoice | undefined;
  /** Every defaulted field under its API name, resolved; echoed as `parameters` in the output metadata. */
  options: TtsDefaults;
  /** API names of the fields the client actually sent, so warnings are only about what was asked. */
  explicitFields: ReadonlySet<string>;
  /** Body fields that are not part of the request: never used, always reported. */
  unknownFields: readonly string[];
}
