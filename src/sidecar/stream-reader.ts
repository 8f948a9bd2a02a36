/**
 * Pull-based reading of a grpc-js server stream. Why not `for await` over the stream itself: grpc-js emits
 * 'error' *after* pushing end-of-stream, and emits it even on a stream the async iterator has already torn
 * down (after a cancel), which would be an unhandled 'error' event. Here an 'error' listener stays attached
 * for the life of the call, the trailing status (not end-of-data) decides the outcome, and a slow consumer
 * pauses the stream so HTTP/2 flow control reaches the sidecar.
 */
import type { ClientReadableStream, StatusObject } from "@grpc/grpc-js";
import { status as Status } from "@grpc/grpc-js";

interface Waiter<T> {
  resolve(result: IteratorResult<T, undefined>): void;
  reject(error: unknown): void;
}

/** Reads one grpc-js server stream, one message per next(). */
export class StreamReader<T> {
  private readonly queue: T[] = [];
  private waiter: Waiter<T> | undefined;
  private ended = false;
  private status: StatusObject | undefined;
  private error: unknown;

  /** @param highWaterMark messages buffered before the stream is paused */
  constructor(
    private readonly stream: ClientReadableStream<T>,
    private readonly highWaterMark = 16,
  ) {
    stream.on("data", (message: T) => {
      this.queue.push(message);
      if (this.queue.length >= this.highWaterMark) stream.pause();
      this.settle();
    });
    stream.on("end", () => {
      this.ended = true;
      this.settle();
    });
    stream.on("error", (error: unknown) => {
      this.error = error;
      this.settle();
    });
    stream.on("status", (status: StatusObject) => {
      this.status = status;
      this.settle();
    });
  }

  /** True once the trailing status arrived: the call is over and needs no cancel. */
  get finished(): boolean {
    return this.status !== undefined;
  }

  /**
   * The next message, `done` after an OK status, or a rejection with the grpc-js error (or status object)
   * after any other status. Messages that arrived before a failure are delivered first.
   */
  next(): Promise<IteratorResult<T, undefined>> {
    if (this.waiter) return Promise.reject(new Error("StreamReader.next() called concurrently"));
    return new Promise((resolve, reject) => {
      this.waiter = { resolve, reject };
      this.settle();
    });
  }

  private settle(): void {
    const waiter = this.waiter;
    if (!waiter) return;
    if (this.queue.length > 0) {
      this.waiter = undefined;
      const message = this.queue.shift() as T;
      if (this.queue.length < this.highWaterMark) this.stream.resume();
      waiter.resolve({ value: message, done: false });
      return;
    }
    if (!this.allDelivered()) return;
    this.waiter = undefined;
    const status = this.status as StatusObject;
    if (status.code === Status.OK) waiter.resolve({ value: undefined, done: true });
    else waiter.reject(this.error ?? status);
  }

  /** Status received and nothing left in our queue or in the stream's own buffer. */
  private allDelivered(): boolean {
    if (this.status === undefined) return false;
    if (this.ended || this.stream.readableLength === 0) return true;
    // Messages are still buffered inside the paused stream; let them flow so 'end' can fire.
    this.stream.resume();
    return false;
  }
}
