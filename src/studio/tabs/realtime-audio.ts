/**
 * Plays the realtime session's `pcm` deltas (24 kHz, 16-bit signed little-endian, mono; docs/api/realtime.md) as
 * they arrive: each delta becomes an AudioBuffer scheduled right after the previous one, so the pieces join
 * without gaps however irregularly they come.
 */
const SAMPLE_RATE = 24_000;
/** Time given to the first buffer after a pause, so it is not scheduled in the past while being prepared. */
const START_LEAD_SECONDS = 0.05;

export class PcmPlayer {
  private context: AudioContext | null = null;
  private nextStart = 0;
  /** A delta may end in the middle of a sample; its first byte waits here for the next delta. */
  private carry: Uint8Array | null = null;
  private readonly playing = new Set<AudioBufferSourceNode>();

  /** Call from a click: browsers only let a page start sound after a user gesture. */
  async resume(): Promise<void> {
    this.context ??= new AudioContext();
    await this.context.resume();
  }

  play(bytes: Uint8Array): void {
    const context = (this.context ??= new AudioContext());
    const whole = this.carry ? concat(this.carry, bytes) : bytes;
    const usable = whole.length - (whole.length % 2);
    this.carry = usable < whole.length ? whole.slice(usable) : null;
    if (usable === 0) return;
    const view = new DataView(whole.buffer, whole.byteOffset, usable);
    const buffer = context.createBuffer(1, usable / 2, SAMPLE_RATE);
    const samples = buffer.getChannelData(0);
    for (let i = 0; i < samples.length; i++) samples[i] = view.getInt16(i * 2, true) / 32768;
    const source = context.createBufferSource();
    source.buffer = buffer;
    source.connect(context.destination);
    this.nextStart = Math.max(this.nextStart, context.currentTime + START_LEAD_SECONDS);
    source.start(this.nextStart);
    this.nextStart += buffer.duration;
    this.playing.add(source);
    source.addEventListener("ended", () => this.playing.delete(source));
  }

  /** Barge-in: silence at once, and the next item starts from a clean slate. */
  stop(): void {
    for (const source of this.playing) source.stop();
    this.playing.clear();
    this.carry = null;
    this.nextStart = 0;
  }

  async close(): Promise<void> {
    this.stop();
    await this.context?.close();
    this.context = null;
  }
}

function concat(first: Uint8Array, second: Uint8Array): Uint8Array {
  const joined = new Uint8Array(first.length + second.length);
  joined.set(first);
  joined.set(second, first.length);
  return joined;
}
