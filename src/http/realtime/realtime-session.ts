/**
 * One realtime speech session on one WebSocket (docs/api/realtime.md): settings, text deltas cut into
 * sentences and spoken item after item, barge-in, and the session's limits. The client's events are handled
 * one at a time in the order they arrive; speaking runs beside them, so a cancel stops audio at once.
 */
import { randomUUID } from "node:crypto";
import type { WebSocket } from "ws";
import type { EncoderSettings } from "../../audio/ffmpeg.js";
import { parseTraceparent } from "../../domain/trace-context.js";
import type { TtsDefaults } from "../../domain/tts-fields.js";
import type { Logger } from "../../logging.js";
import type { VoiceResolver } from "../../services/openai/voice-resolver.js";
import type { TtsService } from "../../services/tts/tts-service.js";
import { decodeFrame, parseClientEvent, rawEventId, type ClientEvent } from "./client-events.js";
import { EventSender } from "./event-sender.js";
import { playItem } from "./item-player.js";
import { errorEvent } from "./server-events.js";
import { idleTimeoutError, pendingTextLimitError, sessionEndingError } from "./session-errors.js";
import { DEFAULT_SETTINGS, publicSettings, updateSettings, type SessionSettings } from "./session-settings.js";
import { SpeechItem } from "./speech-item.js";

export interface RealtimeSessionOptions {
  tts: Pick<TtsService, "stream" | "segmentLimit">;
  voices: Pick<VoiceResolver, "resolve">;
  /** Config `tts_defaults`. */
  defaults: TtsDefaults;
  /** Config `audio`. */
  encoding: EncoderSettings;
  /** Config `openai.realtime_idle_timeout_seconds`, in ms. */
  idleTimeoutMs: number;
  /** Config `openai.realtime_max_pending_chars`. */
  maxPendingChars: number;
  /** Bytes waiting in the socket above which audio is held back. */
  highWaterMark: number;
  log: Logger;
  /** The session's span (W3C traceparent), sent with its engine calls and named in its log lines. */
  traceparent: string;
  /** Told the time from the start of each item's speech to its first audio sent. */
  firstAudio(engine: string, seconds: number): void;
  /** Called once, when the socket has closed, with what the session spoke. */
  onClose?(summary: SessionSummary): void;
}

/** What a session spoke over its life: the usage measures of its finished items and the audio bytes sent. */
export interface SessionSummary {
  inputChars: number;
  outputAudioMs: number;
  bytesOut: number;
  /** The last settings' voice and format. */
  voice: string | null;
  format: string;
}

export class RealtimeSession {
  readonly id = `sess_${randomUUID().replaceAll("-", "")}`;
  private settings: SessionSettings = DEFAULT_SETTINGS;
  /** Items not spoken to their end yet, in order: the first is playing, the last may still take text. */
  private items: SpeechItem[] = [];
  /** The item appends go to; undefined after a flush, until the next append. */
  private open: SpeechItem | undefined;
  private itemCount = 0;
  private playing = false;
  private ending = false;
  private closed = false;
  private inbox: Promise<void> = Promise.resolve();
  private idleTimer: NodeJS.Timeout | undefined;
  private readonly out: EventSender;
  private readonly log: Logger;
  private readonly spoken = { inputChars: 0, outputAudioMs: 0, bytesOut: 0 };

  constructor(
    ws: WebSocket,
    private readonly options: RealtimeSessionOptions,
  ) {
    this.out = new EventSender(ws, options.highWaterMark);
    this.log = options.log.child({ session: this.id, traceId: parseTraceparent(options.traceparent)?.traceId });
    ws.on("message", (data, isBinary) => this.receive(data as Buffer, isBinary));
    ws.on("close", (code) => this.dispose(code));
    ws.on("error", (error) => this.log.info({ err: error }, "realtime: socket error"));
    this.log.info("realtime: session opened");
    void this.out.send({ type: "session.created", session: this.shownSettings() });
    this.armIdleTimer();
  }

  private receive(data: Buffer, isBinary: boolean): void {
    this.armIdleTimer();
    this.inbox = this.inbox.then(() => this.handle(data, isBinary));
  }

  private async handle(data: Buffer, isBinary: boolean): Promise<void> {
    if (this.closed) return;
    let raw: unknown;
    try {
      raw = decodeFrame(data, isBinary);
      await this.dispatch(parseClientEvent(raw));
    } catch (error) {
      this.sendError(error, { eventId: rawEventId(raw) });
    }
  }

  private async dispatch(event: ClientEvent): Promise<void> {
    switch (event.type) {
      case "session.update":
        this.settings = updateSettings(this.settings, event.session, (voice) => this.options.voices.resolve(voice));
        return void this.out.send({ type: "session.updated", session: this.shownSettings() });
      case "input_text.append":
        return this.append(event.text);
      case "input_text.flush":
        return this.flush();
      case "input_text.clear":
        return this.cancelAll("input_text.cleared");
      case "response.cancel":
        return this.cancelAll("response.cancelled");
      case "input_text.end":
        this.flush();
        this.ending = true;
        return this.closeIfEnded();
    }
  }

  private async append(text: string): Promise<void> {
    if (this.ending) throw sessionEndingError();
    const pending = this.items.reduce((sum, item) => sum + item.pendingChars, 0);
    const limit = this.options.maxPendingChars;
    if (pending + text.length > limit) throw pendingTextLimitError(pending, limit);
    if (this.open === undefined) {
      if (text.trim() === "") return;
      this.open = await this.newItem();
    }
    this.open.append(text);
    void this.play();
  }

  private async newItem(): Promise<SpeechItem> {
    const maxChars = await this.options.tts.segmentLimit();
    this.itemCount += 1;
    const item = new SpeechItem({ id: `item_${this.itemCount}`, settings: this.settings, maxChars });
    if (!this.closed) this.items.push(item);
    return item;
  }

  private flush(): void {
    this.open?.flush();
    this.open = undefined;
  }

  /** Barge-in: every item's text and audio are dropped, and the engine call that is running is aborted. */
  private cancelAll(type: "input_text.cleared" | "response.cancelled"): void {
    const itemId = this.items[0]?.id ?? null;
    this.dropItems();
    void this.out.send({ type, item_id: itemId });
    this.closeIfEnded();
  }

  /** Speaks the items one after the other until none is left. */
  private async play(): Promise<void> {
    if (this.playing) return;
    this.playing = true;
    try {
      for (let item = this.items[0]; item !== undefined && !this.closed; item = this.items[0]) {
        await this.playOne(item);
        if (this.items[0] === item) this.items.shift();
        // An item that failed as a whole takes no more text: the next append starts a new one.
        if (this.open === item) this.open = undefined;
      }
    } finally {
      this.playing = false;
    }
    this.closeIfEnded();
    this.armIdleTimer();
  }

  private async playOne(item: SpeechItem): Promise<void> {
    const { tts, defaults, encoding } = this.options;
    const outcome = await playItem(item, {
      tts,
      defaults,
      encoding,
      log: this.log.child({ itemId: item.id }),
      requestId: `${this.id}.${item.id}`,
      traceparent: this.options.traceparent,
      firstAudio: this.options.firstAudio,
      sendAudio: (bytes) => {
        this.spoken.bytesOut += bytes.length;
        return this.out.sendPaced({ type: "speech.audio.delta", item_id: item.id, audio: bytes.toString("base64") });
      },
      reportError: (error) => this.sendError(error, { itemId: item.id }),
    }).catch((error: unknown) => void this.sendError(error, { itemId: item.id }));
    if (!outcome) return;
    this.spoken.inputChars += outcome.usage.input_characters;
    this.spoken.outputAudioMs += outcome.usage.output_audio_ms;
    void this.out.send({ type: "speech.audio.done", item_id: item.id, ...outcome });
  }

  private closeIfEnded(): void {
    if (this.ending && this.items.length === 0) this.out.close(1000, "input_text.end");
  }

  /** The idle clock restarts with every client event and whenever the last item has been spoken. */
  private armIdleTimer(): void {
    clearTimeout(this.idleTimer);
    if (this.closed) return;
    this.idleTimer = setTimeout(() => this.onIdle(), this.options.idleTimeoutMs);
  }

  private onIdle(): void {
    // A session that is still speaking is not idle, however long its text takes.
    if (this.items.length > 0) return this.armIdleTimer();
    this.sendError(idleTimeoutError(this.options.idleTimeoutMs), {});
    this.out.close(1000, "idle timeout");
  }

  private sendError(error: unknown, context: { itemId?: string; eventId?: string | undefined }): void {
    void this.out.send(errorEvent(error, { ...context, log: this.log }));
  }

  private shownSettings() {
    return { id: this.id, ...publicSettings(this.settings) };
  }

  private dropItems(): void {
    for (const item of this.items) item.cancel();
    this.items = [];
    this.open = undefined;
  }

  /** The client went away (or the socket was closed): everything running is aborted. */
  private dispose(code: number): void {
    this.closed = true;
    clearTimeout(this.idleTimer);
    this.dropItems();
    this.log.info({ code, items: this.itemCount }, "realtime: session closed");
    const { voice, response_format: format } = this.settings;
    this.options.onClose?.({ ...this.spoken, voice, format });
  }
}
