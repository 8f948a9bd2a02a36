/**
 * A client that leaves a streamed /v1/audio/speech request stops the real sidecar's work on it (espeak engine):
 * the sidecar's own "synthesis cancelled" log line, forwarded by the supervisor, says how many of the planned
 * segments it spoke before it stopped.
 */
import { Writable } from "node:stream";
import { expect } from "chai";
import { pino } from "pino";
import { realSidecarSupervisor } from "../../helpers/real-sidecar.js";
import { makeDataDir, startTestApp, type TestApp } from "../../helpers/test-app.js";
import type { SidecarSupervisor } from "../../../src/sidecar/supervisor.js";

/** One sentence close to the 300-character segment limit, so each segment is one sentence and long to speak. */
const SENTENCE =
  "Through the long grey afternoon the travellers followed the river road past the mills, the orchards and the " +
  "quiet farms, counting the milestones as they went, talking of the harvest and the weather, and wondering " +
  "whether the ferry at the crossing would still be running when they reached it.";
const SENTENCES = 12;
/** Quarter speed: why, see the test's last comment. */
const SPEED = 0.25;

type LogRecord = Record<string, unknown>;

/** The supervisor's log stream (sidecar lines included), kept as records; a test waits for the one it needs. */
class CapturedLog {
  private readonly records: LogRecord[] = [];
  private waiters: Array<{ matches: (record: LogRecord) => boolean; resolve: (record: LogRecord) => void }> = [];
  readonly stream = new Writable({
    write: (chunk: Buffer, _encoding, done) => {
      for (const line of chunk.toString("utf8").split("\n")) if (line.trim() !== "") this.add(JSON.parse(line));
      done();
    },
  });

  /** The first record, already logged or still to come, that `matches`. */
  next(matches: (record: LogRecord) => boolean): Promise<LogRecord> {
    const logged = this.records.find(matches);
    return logged ? Promise.resolve(logged) : new Promise((resolve) => this.waiters.push({ matches, resolve }));
  }

  private add(record: LogRecord): void {
    this.records.push(record);
    const met = this.waiters.filter((waiter) => waiter.matches(record));
    this.waiters = this.waiters.filter((waiter) => !met.includes(waiter));
    for (const waiter of met) waiter.resolve(record);
  }
}

describe("a client leaving /v1/audio/speech with the real sidecar (espeak engine)", function () {
  this.timeout(180_000);
  const log = new CapturedLog();
  let supervisor: SidecarSupervisor;
  let app: TestApp;
  before(async () => {
    const data = await makeDataDir("inference:\n  allow_download: false\n");
    supervisor = realSidecarSupervisor(data.config, { logger: pino({ level: "info" }, log.stream) });
    await supervisor.start();
    app = await startTestApp({ backend: supervisor.backend, data, health: supervisor });
  });
  after(async () => {
    await app?.dispose();
    await supervisor?.stop();
  });

  const speech = (input: string, call: { requestId?: string; signal?: AbortSignal } = {}): Promise<Response> =>
    fetch(`${app.baseUrl}/v1/audio/speech`, {
      method: "POST",
      headers: { "Content-Type": "application/json", ...(call.requestId ? { "X-Request-ID": call.requestId } : {}) },
      body: JSON.stringify({
        model: "espeak",
        voice: "alloy",
        input,
        response_format: "pcm",
        stream_format: "audio",
        speed: SPEED,
      }),
      ...(call.signal ? { signal: call.signal } : {}),
    });

  it("stops the sidecar within one segment of the abort, long before the text is spoken", async () => {
    // One sentence is one segment, so its bytes alone say how many segments a number of bytes has reached into
    // (about: espeak's output varies a little with each segment's seed).
    const segmentBytes = (await (await speech(SENTENCE)).arrayBuffer()).byteLength;
    expect(segmentBytes).to.be.greaterThan(24_000 * 2 * 5); // over 5 s of 24 kHz s16 speech

    const requestId = `speech-cancel-${process.pid}`;
    const outcome = log.next((r) => r.request_id === requestId && /^synthesis (cancelled|done)$/.test(`${r.msg}`));
    const controller = new AbortController();
    const response = await speech(Array(SENTENCES).fill(SENTENCE).join(" "), { requestId, signal: controller.signal });
    expect(response.status).to.equal(200);
    const reader = response.body!.getReader();
    let received = 0;
    while (received === 0) {
      const { value, done } = await reader.read();
      expect(done, "the stream ended before any audio").to.equal(false);
      received += value!.byteLength;
    }
    controller.abort();

    const line = await outcome;
    expect(line.msg, "the sidecar spoke the whole text").to.equal("synthesis cancelled");
    expect(line.engine).to.equal("espeak");
    expect(line.segments, "one segment per sentence").to.equal(SENTENCES);
    // The client leaves at its first audio. The sidecar hands each segment on as soon as it exists, so by then it
    // is speaking the next one; it may finish that one, and must start no other once the disconnect reaches it.
    // So it speaks at most the segments whose audio the client received, plus one. The disconnect's trip (Koa,
    // then the gRPC cancel) counts too, so a segment must take the sidecar longer than that trip: espeak alone
    // speaks a sentence in tens of milliseconds, about as long as the trip on a busy machine, so the request
    // asks for quarter speed, whose time stretch makes each segment hundreds of milliseconds of real work (a
    // neural engine takes seconds).
    const heard = Math.ceil(received / segmentBytes);
    expect(line.segments_spoken).to.be.at.most(heard + 1);
    expect(line.segments_spoken).to.be.lessThan(SENTENCES / 2);
  });
});
