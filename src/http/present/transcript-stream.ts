/**
 * A transcription streamed as OpenAI's Server-Sent Events: one `transcript.text.delta` per decoded segment, then
 * `transcript.text.done` with the whole text and usage. The response starts only once the sidecar has the
 * audio (its `start` event), so every refusal before that is a normal error response; a failure after it ends
 * the stream with an `error` event.
 */
import { PassThrough } from "node:stream";
import type { Context } from "koa";
import type { TranscriptionEvent } from "../../domain/inference.js";
import type { Logger } from "../../logging.js";
import { toErrorResponse } from "../error-table.js";
import { toOpenAiError } from "../openai/openai-error.js";
import { requestLog } from "../middleware/request-context.js";
import { setWarningsHeader } from "./warnings-header.js";

export async function streamTranscript(
  ctx: Context,
  events: AsyncGenerator<TranscriptionEvent>,
  warnings: string[],
): Promise<void> {
  const first = await events.next();
  if (first.done || first.value.type !== "start") throw new Error("a transcription stream must begin with start");
  const { info } = first.value;
  setWarningsHeader(ctx, [...warnings, ...info.warnings]);
  ctx.set("X-Transcription-Model", info.model);
  ctx.set("Cache-Control", "no-cache");
  ctx.type = "text/event-stream";
  const body = new PassThrough();
  ctx.body = body;
  void relay(events, body, { durationSeconds: info.durationSeconds, log: requestLog(ctx) });
}

async function relay(
  events: AsyncGenerator<TranscriptionEvent>,
  out: PassThrough,
  context: { durationSeconds: number; log: Logger },
): Promise<void> {
  const send = (data: object) => out.write(`data: ${JSON.stringify(data)}\n\n`);
  try {
    for await (const event of events) {
      if (event.type === "segment") send({ type: "transcript.text.delta", delta: event.segment.text });
      if (event.type === "end") {
        const usage = { type: "duration", seconds: Math.ceil(context.durationSeconds) };
        send({ type: "transcript.text.done", text: event.text, usage });
      }
    }
  } catch (error) {
    const response = toOpenAiError(toErrorResponse(error));
    context.log.info({ err: error }, "transcription stream failed after it started");
    send({ type: "error", ...response.body });
  } finally {
    out.end();
  }
}
