/**
 * A client of the realtime speech WebSocket for tests: it records every event with the time it arrived and
 * lets a test wait for the next event that matches, so tests wait on what the server says, never on a clock.
 */
import { WebSocket } from "ws";

/** A server event as JSON gives it, and when it arrived (performance.now()). */
export type RealtimeEvent = Record<string, any> & { type: string };

export interface ClosedSocket {
  code: number;
  reason: string;
  /** How many events had arrived when the socket closed. */
  eventsBefore: number;
}

export class RealtimeClient {
  readonly events: RealtimeEvent[] = [];
  readonly arrivals: number[] = [];
  readonly closed: Promise<ClosedSocket>;
  private cursor = 0;
  private listeners: Array<() => void> = [];

  private constructor(readonly ws: WebSocket) {
    ws.on("message", (data) => {
      this.events.push(JSON.parse(String(data)) as RealtimeEvent);
      this.arrivals.push(performance.now());
      for (const listener of this.listeners) listener();
    });
    this.closed = new Promise((resolve) =>
      ws.on("close", (code, reason) => {
        resolve({ code, reason: String(reason), eventsBefore: this.events.length });
        for (const listener of this.listeners) listener();
      }),
    );
  }

  /** Connects to the app's realtime endpoint (`baseUrl` is the test server's http URL). */
  static async connect(
    baseUrl: string,
    path = "/v1/audio/speech/ws",
    headers: Record<string, string> = {},
  ): Promise<RealtimeClient> {
    const ws = new WebSocket(`${baseUrl.replace(/^http/, "ws")}${path}`, { headers });
    const client = new RealtimeClient(ws);
    await new Promise<void>((resolve, reject) => {
      ws.once("open", () => resolve());
      ws.once("error", reject);
    });
    return client;
  }

  send(event: object): void {
    this.ws.send(JSON.stringify(event));
  }

  /**
   * The next event after the last one waited for that has `type` and passes `matches`. Rejects if the socket
   * closes first, or, when waiting for another type, if an `error` event comes first (a test then fails with
   * the server's reason instead of a timeout).
   */
  next(type: string, matches: (event: RealtimeEvent) => boolean = () => true): Promise<RealtimeEvent> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const index = this.events.findIndex((e, i) => i >= this.cursor && e.type === type && matches(e));
        const error = this.events.findIndex((e, i) => i >= this.cursor && e.type === "error");
        if (type !== "error" && error >= 0 && (index < 0 || error < index)) {
          this.listeners = this.listeners.filter((l) => l !== check);
          reject(new Error(`an error event came before the ${type} event: ${JSON.stringify(this.events[error])}`));
        } else if (index >= 0) {
          this.listeners = this.listeners.filter((l) => l !== check);
          this.cursor = index + 1;
          resolve(this.events[index]!);
        } else if (this.ws.readyState === WebSocket.CLOSED) {
          this.listeners = this.listeners.filter((l) => l !== check);
          reject(new Error(`closed before a ${type} event; events: ${JSON.stringify(this.types())}`));
        }
      };
      this.listeners.push(check);
      check();
    });
  }

  /** Where `event` is among the events received. */
  indexOf(event: RealtimeEvent): number {
    return this.events.indexOf(event);
  }

  types(): string[] {
    return this.events.map((e) => e.type);
  }

  /** The bytes of every audio delta of `itemId`, in order. */
  audio(itemId: string): Buffer {
    const deltas = this.events.filter((e) => e.type === "speech.audio.delta" && e.item_id === itemId);
    return Buffer.concat(deltas.map((e) => Buffer.from(e.audio as string, "base64")));
  }

  close(): Promise<ClosedSocket> {
    this.ws.close();
    return this.closed;
  }
}
