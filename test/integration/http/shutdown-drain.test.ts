/**
 * Graceful shutdown of the HTTP side (fake engine): once draining, a new request is refused with 503
 * SHUTTING_DOWN and Retry-After, while the request in flight runs to its end and the drain then resolves.
 */
import { expect } from "chai";
import { FakeInferenceBackend } from "../../helpers/fake-inference-backend.js";
import { startTestApp, type TestApp } from "../../helpers/test-app.js";

describe("graceful shutdown drain (fake engine)", () => {
  let app: TestApp;
  let release!: () => void;
  let entered!: () => void;
  const hold = new Promise<void>((resolve) => (release = resolve));
  const inEngine = new Promise<void>((resolve) => (entered = resolve));
  before(async () => {
    const backend = new FakeInferenceBackend({
      beforeSegment: () => {
        entered();
        return hold;
      },
    });
    app = await startTestApp({ backend });
  });
  after(() => app.dispose());

  const tts = () =>
    fetch(`${app.baseUrl}/api/v1/tts?response_mode=json`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ text: "Finish me before you go." }),
    });

  it("refuses new requests with 503 while the one in flight finishes; resolves once it has", async () => {
    const running = tts();
    await inEngine;
    expect(app.drain.pending).to.equal(1);
    let drained: boolean | undefined;
    const draining = app.drain.drain(60_000).then((result) => (drained = result));
    const refused = await tts();
    expect(refused.status).to.equal(503);
    expect(refused.headers.get("retry-after")).to.equal("5");
    expect(((await refused.json()) as { error_code: string }).error_code).to.equal("SHUTTING_DOWN");
    expect(drained).to.equal(undefined);
    release();
    const finished = await running;
    expect(finished.status).to.equal(200);
    await finished.arrayBuffer();
    expect(await draining).to.equal(true);
    expect(app.drain.pending).to.equal(0);
  });

  it("gives up after the grace when a request does not end, and says so", async () => {
    const other = await startTestApp({
      backend: new FakeInferenceBackend({ beforeSegment: () => new Promise(() => {}) }),
    });
    try {
      const abort = new AbortController();
      const stuck = fetch(`${other.baseUrl}/api/v1/tts?response_mode=json`, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ text: "Never done." }),
        signal: abort.signal,
      }).catch(() => undefined);
      while (other.drain.pending === 0) await new Promise((resolve) => setImmediate(resolve));
      expect(await other.drain.drain(50)).to.equal(false);
      abort.abort();
      await stuck;
    } finally {
      await other.dispose();
    }
  });
});
