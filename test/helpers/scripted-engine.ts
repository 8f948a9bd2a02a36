/**
 * The fake engine with a script written in the text it is given, for tests of requests that fail or are left
 * in the middle: a segment whose text says "fail" fails its call (InferenceFailedError, a 500); one that says
 * "wait" holds its call until the caller cancels it, so a client can leave while its speech is half sent.
 * Either word may be in any case (text preparation lowercases by default).
 * Tests wait for a call to be held and for it to end, never on a clock.
 */
import { EventEmitter, once } from "node:events";
import { InferenceFailedError } from "../../src/domain/errors.js";
import { FakeInferenceBackend } from "./fake-inference-backend.js";

export class ScriptedEngine {
  readonly backend: FakeInferenceBackend;
  private readonly events = new EventEmitter();
  private readonly endedCalls = new Set<number>();

  constructor() {
    this.backend = new FakeInferenceBackend({
      beforeSegment: (call, index, signal) => this.beforeSegment(call, index, signal),
      onCallEnd: (call) => {
        this.endedCalls.add(call);
        this.events.emit("ended", call);
      },
    });
  }

  /** The next call that reaches a "wait" segment; ask before the request that will reach it. */
  async nextHeld(): Promise<number> {
    const [call] = (await once(this.events, "held")) as [number];
    return call;
  }

  /** Resolves once call `call` has ended, however it ended. */
  async ended(call: number): Promise<void> {
    while (!this.endedCalls.has(call)) await once(this.events, "ended");
  }

  private async beforeSegment(call: number, index: number, signal?: AbortSignal): Promise<void> {
    const text = this.backend.calls[call]!.segments[index]!.text.toLowerCase();
    if (text.includes("fail")) throw new InferenceFailedError("the fake engine failed, as the text asked");
    if (!text.includes("wait") || signal?.aborted) return;
    const cancelled = new Promise<void>((resolve) => signal?.addEventListener("abort", () => resolve()));
    this.events.emit("held", call);
    await cancelled;
  }
}
