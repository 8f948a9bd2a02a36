/**
 * Sends progressive speech (speech-stream.ts) as it is produced: encoded bytes with chunked transfer, or
 * OpenAI's speech Server-Sent Events. Nothing is sent until the encoder has its first bytes, so a failure of
 * the first segment is still an ordinary error response; a failure after that breaks the audio response off
 * (the client sees an incomplete body, never a short file that looks whole) or ends the events with `error`.
 */
import { Readable } from "node:stream";
import type { Context } from "koa";
import type { EncoderSettings } from "../../audio/ffmpeg.js";
import { encodeStream, STREAM_CONTENT_TYPES, type StreamFormat } from "../../audio/stream-encoder.js";
import type { SpeechStream } from "../../services/tts/speech-stream.js";
import { requestLog, requestSignal } from "../middleware/request-context.js";
import { startEventStream, type EventStream } from "./event-stream.js";
import { noteFailedAfterStart } from "./late-failure.js";
import { asciiJson, setWarningsHeader } from "./warnings-header.js";

export interface SpeechResponseOptions {
  format: StreamFormat;
  settings: EncoderSettings;
}

/** Chunked audio bytes; warnings the engine reports at the end go in the `X-Warnings` trailer. */
export async function sendSpeechAudio(ctx: Context, stream: SpeechStream, options: SpeechResponseOptions) {
  const encoded = await startEncoding(ctx, stream, options);
  speechHeaders(ctx, stream);
  ctx.type = STREAM_CONTENT_TYPES[options.format];
  ctx.set("Trailer", "X-Warnings");
  ctx.body = Readable.from(withTrailers(ctx, stream, encoded));
}

/** `speech.audio.delta` events with base64 audio, then one `speech.audio.done` with usage and warnings. */
export async function sendSpeechEvents(ctx: Context, stream: SpeechStream, options: SpeechResponseOptions) {
  const encoded = await startEncoding(ctx, stream, options);
  speechHeaders(ctx, stream);
  void relayEvents(stream, encoded, startEventStream(ctx, "speech event stream"));
}

function speechHeaders(ctx: Context, stream: SpeechStream): void {
  ctx.set("X-Generation-Seed", String(stream.seedUsed));
  ctx.set("X-Engine", stream.engine);
  setWarningsHeader(ctx, stream.warnings);
}

/** Encodes the stream's samples and waits for the first bytes; failures before them reject (and clean up). */
async function startEncoding(ctx: Context, stream: SpeechStream, options: SpeechResponseOptions) {
  const input = (async function* () {
    for await (const chunk of stream.chunks) yield chunk.samples;
  })();
  const encoded = encodeStream(input, {
    format: options.format,
    sampleRate: stream.sampleRate,
    settings: options.settings,
    signal: requestSignal(ctx),
  });
  const first = await encoded.next();
  return (async function* () {
    if (!first.done) yield first.value;
    yield* encoded;
  })();
}

async function* withTrailers(ctx: Context, stream: SpeechStream, encoded: AsyncGenerator<Buffer>) {
  try {
    yield* encoded;
  } catch (error) {
    requestLog(ctx).warn({ err: error }, "speech stream failed after it started; the response was broken off");
    noteFailedAfterStart(ctx, error);
    throw error;
  }
  ctx.res.addTrailers({ "X-Warnings": asciiJson(stream.summary().warnings) });
}

async function relayEvents(stream: SpeechStream, encoded: AsyncGenerator<Buffer>, out: EventStream) {
  try {
    for await (const bytes of encoded) out.send({ type: "speech.audio.delta", audio: bytes.toString("base64") });
    const summary = stream.summary();
    const outputMs = Math.round(summary.durationSeconds * 1000);
    const usage = {
      input_tokens: stream.characters,
      output_tokens: outputMs,
      total_tokens: stream.characters + outputMs,
    };
    out.send({ type: "speech.audio.done", usage, warnings: summary.warnings });
  } catch (error) {
    out.fail(error);
  } finally {
    out.end();
  }
}
