/**
 * Speaks one item: its queued pieces go to the engine as they come (all that wait, in one call), the audio of
 * every call is fed to one encoder so the item's bytes form a single stream of its format, and each encoded
 * chunk is sent as soon as it exists, no faster than the client takes it. A piece whose synthesis fails is
 * reported and the item goes on with the next; cancelling the item aborts the call that is running.
 */
import { encodeStream } from "../../audio/stream-encoder.js";
import type { EncoderSettings } from "../../audio/ffmpeg.js";
import { InferenceFailedError } from "../../domain/errors.js";
import type { TtsDefaults } from "../../domain/tts-fields.js";
import type { Logger } from "../../logging.js";
import { toTtsRequest } from "../../services/openai/speech-request.js";
import type { SpeechStream } from "../../services/tts/speech-stream.js";
import type { TtsService } from "../../services/tts/tts-service.js";
import type { SpeechUsage } from "./server-events.js";
import { speechFields } from "./session-settings.js";
import type { SpeechItem } from "./speech-item.js";

export interface ItemPlayerOptions {
  tts: Pick<TtsService, "stream">;
  /** Config `tts_defaults`. */
  defaults: TtsDefaults;
  /** Config `audio`: the bitrates of mp3 and opus. */
  encoding: EncoderSettings;
  log: Logger;
  /** Names the engine calls of the item in the logs. */
  requestId: string;
  /** The session's W3C traceparent, sent with the engine calls. */
  traceparent: string;
  /** Told the time from the start of the item's speech to its first audio sent. */
  firstAudio(engine: string, seconds: number): void;
  /** Sends one chunk of encoded audio; resolves when the client can take more. */
  sendAudio(bytes: Buffer): Promise<void>;
  /** Reports a failure of part of the item; the item goes on. */
  reportError(error: unknown): void;
}

export interface ItemOutcome {
  usage: SpeechUsage;
  warnings: string[];
}

/** Plays `item` to its end; undefined when it was cancelled, or failed as a whole (already reported). */
export async function playItem(item: SpeechItem, options: ItemPlayerOptions): Promise<ItemOutcome | undefined> {
  const started = performance.now();
  const source = new ItemSource(item, options);
  const first = await source.nextStream();
  if (item.cancelled) return undefined;
  if (first !== undefined) {
    const format = item.settings.response_format;
    const encoding = { format, sampleRate: first.sampleRate, settings: options.encoding, signal: item.signal };
    let sent = false;
    try {
      for await (const bytes of encodeStream(source.samples(first), encoding)) {
        if (item.cancelled) break;
        if (!sent) options.firstAudio(first.engine, (performance.now() - started) / 1000);
        sent = true;
        await options.sendAudio(bytes);
      }
    } catch (error) {
      if (!item.cancelled) options.reportError(error);
      return undefined;
    }
  }
  return item.cancelled ? undefined : source.outcome();
}

/** The item's audio, call after call, with what was spoken counted. */
class ItemSource {
  private characters = 0;
  private samplesSent = 0;
  private sampleRate = 0;
  private readonly warnings = new Set<string>();

  constructor(
    private readonly item: SpeechItem,
    private readonly options: ItemPlayerOptions,
  ) {}

  /** Starts the engine on every piece that waits; undefined once the item has no more text. */
  async nextStream(): Promise<SpeechStream | undefined> {
    for (let pieces = await this.item.take(); pieces !== undefined; pieces = await this.item.take()) {
      const { tts, defaults, log, requestId, traceparent } = this.options;
      const request = toTtsRequest(speechFields(this.item.settings, pieces.join(" ")), defaults);
      try {
        return await tts.stream(request, { signal: this.item.signal, log, requestId, traceparent });
      } catch (error) {
        if (this.item.cancelled) return undefined;
        this.options.reportError(error);
      }
    }
    return undefined;
  }

  /** The samples of `first` and of every later call, at the rate of the first. */
  async *samples(first: SpeechStream): AsyncGenerator<Float32Array> {
    this.sampleRate = first.sampleRate;
    for (let stream: SpeechStream | undefined = first; stream; stream = await this.nextStream()) {
      if (stream.sampleRate !== this.sampleRate) {
        await abandon(stream);
        const why = `the engine's sample rate changed from ${this.sampleRate} to ${stream.sampleRate} Hz`;
        this.options.reportError(new InferenceFailedError(`${why} within one item; its text was not spoken`));
        continue;
      }
      stream.warnings.forEach((warning) => this.warnings.add(warning));
      try {
        for await (const chunk of stream.chunks) {
          this.samplesSent += chunk.samples.length;
          yield chunk.samples;
        }
        this.characters += stream.characters;
        stream.summary().warnings.forEach((warning) => this.warnings.add(warning));
      } catch (error) {
        if (this.item.cancelled) return;
        this.options.reportError(error);
      }
    }
  }

  outcome(): ItemOutcome {
    const ms = this.sampleRate > 0 ? Math.round((this.samplesSent * 1000) / this.sampleRate) : 0;
    return { usage: { input_characters: this.characters, output_audio_ms: ms }, warnings: [...this.warnings] };
  }
}

/** Ends a stream that will not be played: its generator cancels the engine call once it runs. */
async function abandon(stream: SpeechStream): Promise<void> {
  const chunks = stream.chunks[Symbol.asyncIterator]();
  await chunks.next().catch(() => undefined);
  await chunks.return?.();
}
