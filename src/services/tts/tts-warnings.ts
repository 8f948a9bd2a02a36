/**
 * TTS request options this server cannot honour yet, and parameters the engine ignored. Each is reported in
 * `warnings` when the client asked for it, so nothing is ignored silently; options left at their defaults ask
 * for nothing and stay quiet.
 */
import { unknownFieldWarnings } from "../request-warnings.js";
import type { TtsRequest } from "./tts-request.js";

/** Fields of Whisper validation, which needs the speech-recognition engine this server does not have yet. */
const WHISPER_FIELDS = [
  "bypass_whisper_checking",
  "whisper_model_name",
  "use_faster_whisper",
  "use_longest_transcript_on_fail",
] as const;

/** Warnings about request fields that had no effect: unknown fields, Whisper validation, extra candidates. */
export function unavailableOptionWarnings(request: TtsRequest): string[] {
  const warnings = unknownFieldWarnings(request.unknownFields, "TTS");
  // Validation is asked for when a Whisper field is sent without bypassing it; the defaults ask for nothing.
  const whisperSent = WHISPER_FIELDS.filter((field) => request.explicitFields.has(field));
  if (!request.options.bypass_whisper_checking && whisperSent.length > 0) {
    warnings.push(
      "Whisper validation is not available on this server, so candidates were not transcribed or checked; " +
        `${whisperSent.join(", ")} had no effect`,
    );
  }
  const candidates = request.options.num_candidates_per_chunk;
  if (candidates > 1 && request.explicitFields.has("num_candidates_per_chunk")) {
    warnings.push(
      `num_candidates_per_chunk=${candidates}: without a validator one candidate per chunk is generated, ` +
        "since extra candidates could never be chosen",
    );
  }
  return warnings;
}

/**
 * Names the parameters the client sent that the engine does not use (e.g. espeak has no cfg_weight).
 * The server always passes the contract defaults on, so a parameter the client left alone stays quiet.
 */
export function ignoredParameterWarning(request: TtsRequest, ignored: string[], engine: string): string | undefined {
  const sent = ignored.filter((name) => request.explicitFields.has(name));
  if (sent.length === 0) return undefined;
  return `the ${engine} engine does not use ${sent.join(", ")}; ${sent.length > 1 ? "they have" : "it has"} no effect`;
}
