/**
 * TTS request options this server could not honour, and parameters the engine ignored. Each is reported in
 * `warnings` when the client asked for it, so nothing is ignored silently; options left at their defaults ask
 * for nothing and stay quiet.
 */
import { unknownFieldWarnings } from "../request-warnings.js";
import type { TtsRequest } from "./tts-request.js";
import type { VerificationPlan } from "./verified-synthesis.js";

/** Fields of Whisper validation: asking for it means sending one of them without bypassing it. */
const WHISPER_FIELDS = [
  "bypass_whisper_checking",
  "whisper_model_name",
  "use_faster_whisper",
  "use_longest_transcript_on_fail",
] as const;

/**
 * Warnings about request fields that had no effect, or a different one than asked: unknown fields, Whisper
 * validation that could not run, extra candidates without validation, and openai-whisper (only
 * faster-whisper is installed).
 */
export function unavailableOptionWarnings(request: TtsRequest, plan: VerificationPlan): string[] {
  const warnings = unknownFieldWarnings(request.unknownFields, "TTS");
  const opts = request.options;
  const sent = (field: string) => request.explicitFields.has(field);
  if (plan.verify) {
    if (sent("use_faster_whisper") && !opts.use_faster_whisper)
      warnings.push("openai-whisper is not installed; faster-whisper was used");
    return warnings;
  }
  const whisperSent = WHISPER_FIELDS.filter(sent);
  if (!opts.bypass_whisper_checking && whisperSent.length > 0) {
    warnings.push(
      `Whisper validation is not available on this server (${plan.reason}), so candidates were not ` +
        `transcribed or checked; ${whisperSent.join(", ")} had no effect`,
    );
  }
  if (opts.num_candidates_per_chunk > 1 && sent("num_candidates_per_chunk")) {
    warnings.push(
      `num_candidates_per_chunk=${opts.num_candidates_per_chunk}: without a validator one candidate per chunk ` +
        "is generated, since extra candidates could never be chosen",
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

/** Post-processing stages that need the whole audio, so progressive delivery cannot run them. */
const WHOLE_AUDIO_STAGES = ["use_auto_editor", "trim", "normalize_audio"] as const;

/**
 * Progressive delivery speaks each segment once and hands it out at once: Whisper verification, extra
 * candidates and the post-processing stages need the whole audio, and nothing is saved to outputs/. Each
 * of these the request asked for (a stage switched on by config counts too) is reported.
 */
export function progressiveWarnings(request: TtsRequest, requestName: string): string[] {
  const warnings = unknownFieldWarnings(request.unknownFields, requestName);
  const opts = request.options;
  const sent = (field: string) => request.explicitFields.has(field);
  const verification = [...WHISPER_FIELDS, "num_candidates_per_chunk", "max_attempts_per_candidate"].filter(sent);
  if (verification.length > 0) {
    warnings.push(
      `progressive streaming speaks each segment once, unverified; ${verification.join(", ")} had no effect`,
    );
  }
  const stages = WHOLE_AUDIO_STAGES.filter((stage) => opts[stage]);
  if (stages.length > 0) {
    warnings.push(`${stages.join(", ")} need the whole audio and were not applied to the progressive stream`);
  }
  // export_formats also chooses what may be streamed (return_format must be one of them): only more than one
  // format asks for files that will not exist.
  const files = [
    ...(sent("export_formats") && opts.export_formats.length > 1 ? ["the other export_formats"] : []),
    ...(sent("wav_sample_format") ? ["wav_sample_format (a streamed wav is 16-bit)"] : []),
  ];
  if (files.length > 0) {
    warnings.push(
      `progressive streaming sends one format and saves no file in outputs/; ${files.join(", ")} had no effect`,
    );
  }
  return warnings;
}
