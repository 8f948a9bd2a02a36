/**
 * A transcription streamed as OpenAI's Server-Sent Events: one `transcript.text.delta` per decoded segment, then
 * `transcript.text.done` with the whole text and usage. The response starts only once the sidecar has the
 * audio (its `start` event), so every refusal before that is a normal error response; a failure after it ends
 * the stream with an `error` event.
 */
import type { Context } from "koa";
import type { TranscriptionEvent } from "../../domain/inference.js";
import { noteRecognition } from "../usage/usage-facts.js";
import { startEventStream, type EventStream } from "./event-stream.js";
import { setWarningsHeader } from "./warnings-header.js";

export async function streamTranscript(
  ctx: Context,
  events: AsyncGenerator<TranscriptionEvent>,
  warnings: string[],
): Promise<void> {
  const first = await events.next();
  if (first.done || first.value.type !== "start") throw new Error("a transcription stream must begin with start");
  const { info } = first.value;
  noteRecognition(ctx, info, "sse");
  setWarningsHeader(ctx, [...warnings, ...info.warnings]);
  ctx.set("X-Transcription-Model", info.model);
  void relay(events, startEventStream(ctx, "transcription stream"), info.durationSeconds);
}

async function relay(events: AsyncGenerator<TranscriptionEvent>, out: EventStream, durationSeconds: number) {
  try {
    for await (const event of events) {
      if (event.type === "segment") out.send({ type: "transcript.text.delta", delta: event.segment.text });
      if (event.type === "end") {
        const usage = { type: "duration", seconds: Math.ceil(durationSeconds) };
        out.send({ type: "transcript.text.done", text: event.text, usage });
      }
    }
  } catch (error) {
    out.fail(error);
  } finally {
    out.end();
  }
}
