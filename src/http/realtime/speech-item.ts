/**
 * One item of a realtime session: the text between two flushes, spoken with the settings the session had when
 * the item began, as one encoded audio stream. Text arrives in deltas; its sentence buffer hands complete
 * pieces to the queue, which the player takes from as soon as the engine is free.
 */
import { SentenceBuffer } from "../../text/sentence-buffer.js";
import type { SessionSettings } from "./session-settings.js";

const SPEAKABLE = /[\p{L}\p{N}]/u;

export interface SpeechItemOptions {
  id: string;
  settings: SessionSettings;
  /** The engine's segment limit: no piece is longer. */
  maxChars: number;
}

export class SpeechItem {
  readonly id: string;
  readonly settings: SessionSettings;
  private readonly buffer: SentenceBuffer;
  private readonly queue: string[] = [];
  private flushed = false;
  private readonly controller = new AbortController();
  private wake: (() => void) | undefined;

  constructor(options: SpeechItemOptions) {
    this.id = options.id;
    this.settings = options.settings;
    const language = options.settings.language ?? undefined;
    this.buffer = new SentenceBuffer({ maxChars: options.maxChars, ...(language ? { language } : {}) });
  }

  /** Aborts when the item is cancelled: its synthesis (the sidecar call) and encoding stop. */
  get signal(): AbortSignal {
    return this.controller.signal;
  }

  get cancelled(): boolean {
    return this.controller.signal.aborted;
  }

  /** No more text will come: every delta was flushed (or the item was cancelled). */
  get closed(): boolean {
    return this.flushed || this.cancelled;
  }

  /** Characters that wait for synthesis: the buffer and the queued pieces. */
  get pendingChars(): number {
    return this.queue.reduce((sum, piece) => sum + piece.length, this.buffer.length);
  }

  /** Buffers a delta; the sentences it completes are queued at once. */
  append(text: string): void {
    this.enqueue(this.buffer.append(text));
  }

  /** Queues what is buffered; the item ends once the queue is spoken. */
  flush(): void {
    this.enqueue(this.buffer.flush());
    this.flushed = true;
    this.notify();
  }

  cancel(): void {
    this.buffer.clear();
    this.queue.length = 0;
    this.controller.abort(new Error(`item ${this.id} was cancelled`));
    this.notify();
  }

  /**
   * Every piece queued so far, waiting until there is one; undefined once the item is flushed and spoken, or
   * cancelled.
   */
  async take(): Promise<string[] | undefined> {
    while (this.queue.length === 0 && !this.closed) {
      await new Promise<void>((resolve) => (this.wake = resolve));
    }
    if (this.cancelled || this.queue.length === 0) return undefined;
    return this.queue.splice(0);
  }

  private enqueue(pieces: readonly string[]): void {
    // A piece of punctuation alone ("**", "—" from a model's markdown) has nothing to speak; the engine
    // would refuse it, failing the piece for no audible reason.
    const speakable = pieces.filter((piece) => SPEAKABLE.test(piece));
    if (speakable.length === 0 || this.cancelled) return;
    this.queue.push(...speakable);
    this.notify();
  }

  private notify(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }
}
