/**
 * What a route knows about its request's usage (engine, voice, characters, audio), noted on the context and
 * read once the response has ended. A note may be a function, for facts known only at the end of a stream.
 */
import type { Context } from "koa";
import type { TranscriptionInfo } from "../../domain/inference.js";
import type { UsageRecord } from "../../services/usage/usage-record.js";

export type UsageFacts = Partial<
  Pick<UsageRecord, "engine" | "voice" | "format" | "streamMode" | "inputChars" | "inputAudioMs" | "outputAudioMs">
>;

type Note = UsageFacts | (() => UsageFacts);

export function noteUsage(ctx: Pick<Context, "state">, facts: Note): void {
  const notes = (ctx.state.usageNotes ??= []) as Note[];
  notes.push(facts);
}

/** A recognition's facts: the audio it heard (the usage measure), the Whisper model (as `voice`), the format. */
export function noteRecognition(
  ctx: Pick<Context, "state">,
  heard: Pick<TranscriptionInfo, "model" | "durationSeconds">,
  format: string,
): void {
  noteUsage(ctx, { engine: "faster-whisper", voice: heard.model, format, inputAudioMs: heard.durationSeconds * 1000 });
}

/** Every note, later ones winning; a note that fails (a stream that never finished) adds nothing. */
export function notedUsage(ctx: Pick<Context, "state">): UsageFacts {
  const notes = (ctx.state.usageNotes ?? []) as Note[];
  return Object.assign({}, ...notes.map((note) => (typeof note === "function" ? safely(note) : note))) as UsageFacts;
}

function safely(note: () => UsageFacts): UsageFacts {
  try {
    return note();
  } catch {
    return {};
  }
}
