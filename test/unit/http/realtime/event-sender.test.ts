import { expect } from "chai";
import { WebSocket } from "ws";
import { EventSender } from "../../../../src/http/realtime/event-sender.js";

/** A socket whose writes complete only when the test says so, like a client that has stopped reading. */
class StalledSocket {
  readyState: number = WebSocket.OPEN;
  bufferedAmount = 0;
  readonly pending: Array<() => void> = [];
  readonly sent: string[] = [];

  send(data: string, done: () => void): void {
    this.sent.push(data);
    this.bufferedAmount += data.length;
    this.pending.push(() => {
      this.bufferedAmount -= data.length;
      done();
    });
  }

  /** The client reads everything that waits. */
  drain(): void {
    for (const complete of this.pending.splice(0)) complete();
  }
}

/** Whether `promise` has settled by the time already-queued callbacks have run. */
async function settled(promise: Promise<unknown>): Promise<boolean> {
  let done = false;
  void promise.then(() => (done = true));
  await new Promise((resolve) => setImmediate(resolve));
  return done;
}

describe("http/realtime/event-sender", () => {
  const delta = (n: number) => ({ type: "speech.audio.delta" as const, item_id: "item_1", audio: "A".repeat(n) });

  it("lets audio through while the client keeps up, and holds it back once the socket's buffer is full", async () => {
    const socket = new StalledSocket();
    const sender = new EventSender(socket as unknown as WebSocket, 1000);
    expect(await settled(sender.sendPaced(delta(400)))).to.equal(true);
    const held = sender.sendPaced(delta(800));
    expect(await settled(held), "over the high-water mark: wait for the client").to.equal(false);
    expect(socket.sent).to.have.length(2);
    socket.drain();
    expect(await settled(held)).to.equal(true);
    expect(socket.bufferedAmount).to.equal(0);
  });

  it("sends nothing once the socket is closing, and does not wait for it", async () => {
    const socket = new StalledSocket();
    socket.readyState = WebSocket.CLOSING;
    const sender = new EventSender(socket as unknown as WebSocket, 0);
    expect(await settled(sender.sendPaced(delta(10)))).to.equal(true);
    expect(socket.sent).to.deep.equal([]);
  });
});
