/**
 * A voice's `default_parameters` (set at upload or by a metadata edit) fill in what a TTS request leaves
 * unset: a narrator voice can carry its own exaggeration or speed. A field the request sends always wins, and
 * the response names every default that was applied.
 */
import { ttsFieldSchemas, type TtsFieldName } from "../../domain/tts-fields.js";
import type { Logger } from "../../logging.js";
import type { TtsRequest } from "./tts-request.js";

/** What the TTS pipeline needs from the voice library; a server without one passes none. */
export interface VoiceHooks {
  /** The stored default request parameters of the voice file at `absolutePath` ({} for none). */
  defaultsFor(absolutePath: string): Record<string, unknown>;
  /** Counts one use of the voice (usage_count, last_used). */
  recordUse(absolutePath: string): Promise<void>;
}

/**
 * Counts one use of a library voice. The audio exists either way: failing to count a use is logged, not
 * turned into a failed request.
 */
export async function countVoiceUse(
  hooks: Pick<VoiceHooks, "recordUse">,
  voicePath: string,
  log: Logger,
): Promise<void> {
  await hooks.recordUse(voicePath).catch((error: unknown) => {
    log.warn({ err: error }, "the voice's usage statistics could not be updated");
  });
}

export interface AppliedDefaults {
  request: TtsRequest;
  /** Field → value, for every default that was used. */
  applied: Record<string, unknown>;
  /** Stored defaults that are not valid request values (a companion edited by hand) and were skipped. */
  warnings: string[];
}

function isTtsField(name: string): name is TtsFieldName {
  return Object.hasOwn(ttsFieldSchemas, name);
}

export function applyVoiceDefaults(request: TtsRequest, defaults: Record<string, unknown>): AppliedDefaults {
  const options: Record<string, unknown> = { ...request.options };
  const applied: Record<string, unknown> = {};
  const warnings: string[] = [];
  for (const [name, value] of Object.entries(defaults)) {
    if (request.explicitFields.has(name)) continue;
    const parsed = isTtsField(name) ? ttsFieldSchemas[name].safeParse(value) : undefined;
    if (!parsed?.success) {
      warnings.push(
        `the voice's default ${name}=${JSON.stringify(value)} is not a valid request value and was not used`,
      );
      continue;
    }
    options[name] = parsed.data;
    applied[name] = parsed.data;
  }
  return { request: { ...request, options: options as TtsRequest["options"] }, applied, warnings };
}
