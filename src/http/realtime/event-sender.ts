/**
 * The server's side of the socket: events go out as JSON text frames, in the order they are sent. Audio is
 * paced by the client: while more than `highWaterMark` bytes wait in the socket's buffer, the next delta waits
 * until the last one has left, so a slow client holds back synthesis instead of filling the server's memory.
 */
import { WebSocket } from "ws";
import type { ServerEvent } from "./server-events.js";

export class EventSender {
  constructor(
    private readonly ws: WebSocket,
    private readonly highWaterMark: number,
  ) {}

  get open(): boolean {
    return this.ws.readyState === WebSocket.OPEN;
  }

  /** Resolves once the event has been handed to the network (or could not be: the socket is closing). */
  send(event: ServerEvent): Promise<void> {
    if (!this.open) return Promise.resolve();
    return new Promise((resolve) => this.ws.send(JSON.stringify(event), () => resolve()));
  }

  /** Sends, then waits for the event to leave while the socket's buffer is above the high-water mark. */
  async sendPaced(event: ServerEvent): Promise<void> {
    const sent = this.send(event);
    if (this.ws.bufferedAmount > this.highWaterMark) await sent;
  }

  /** Closes the socket after the events already sent. */
  close(code: number, reason: string): void {
    if (this.open) this.ws.close(code, reason);
  }
}
