import { expect } from "chai";
import Koa from "koa";
import { pino } from "pino";
import type { CallOptions, SynthesisEvent, SynthesisInput } from "../../../src/domain/inference.js";
import { parseTraceparent } from "../../../src/domain/trace-context.js";
import { requestContext, requestLog } from "../../../src/http/middleware/request-context.js";
import { traceContext } from "../../../src/http/middleware/trace-context.js";
import { FakeInferenceBackend } from "../../helpers/fake-inference-backend.js";
import { startTestApp, type TestApp } from "../../helpers/test-app.js";
import { serve, type TestServer } from "../../helpers/test-server.js";

const TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736";
const INCOMING = `00-${TRACE_ID}-00f067aa0ba902b7-01`;

/** The fake engine, remembering the options of every synthesis call it gets. */
class RecordingBackend extends FakeInferenceBackend {
  readonly synthesisCalls: CallOptions[] = [];

  override synthesizeStream(input: SynthesisInput, options: CallOptions = {}): AsyncIterable<SynthesisEvent> {
    this.synthesisCalls.push(options);
    return super.synthesizeStream(input, options);
  }
}

describe("W3C trace context through HTTP", () => {
  describe("POST /api/v1/tts (fake engine)", () => {
    let app: TestApp;
    let backend: RecordingBackend;
    before(async () => {
      backend = new RecordingBackend();
      app = await startTestApp({ backend });
    });
    after(() => app.dispose());

    const tts = (headers: Record<string, string>) =>
      fetch(`${app.baseUrl}/api/v1/tts?response_mode=json`, {
        method: "POST",
        headers: { "Content-Type": "application/json", ...headers },
        body: JSON.stringify({ text: "Hello there." }),
      });

    it("joins the caller's trace: the engine call and the response carry its trace id under our own span", async () => {
      backend.synthesisCalls.length = 0;
      const response = await tts({ traceparent: INCOMING });
      expect(response.status).to.equal(200);
      const echoed = parseTraceparent(response.headers.get("traceparent") ?? "");
      expect(echoed).to.include({ traceId: TRACE_ID, flags: "01" });
      expect(echoed!.parentId).to.not.equal("00f067aa0ba902b7");
      expect(backend.synthesisCalls).to.not.be.empty;
      for (const call of backend.synthesisCalls) expect(call.traceparent).to.equal(response.headers.get("traceparent"));
    });

    it("starts a new trace when the caller's traceparent is invalid", async () => {
      backend.synthesisCalls.length = 0;
      const response = await tts({ traceparent: `00-${TRACE_ID.toUpperCase()}-00f067aa0ba902b7-01` });
      expect(response.status).to.equal(200);
      const started = parseTraceparent(response.headers.get("traceparent") ?? "");
      expect(started?.traceId)
        .to.match(/^[0-9a-f]{32}$/)
        .and.not.equal(TRACE_ID);
      expect(started?.flags).to.equal("01");
      expect(backend.synthesisCalls[0]?.traceparent).to.equal(response.headers.get("traceparent"));
    });
  });

  describe("request logs", () => {
    const lines: Array<Record<string, unknown>> = [];
    let server: TestServer;
    before(async () => {
      const log = pino({ level: "info" }, { write: (line: string) => void lines.push(JSON.parse(line)) });
      const app = new Koa();
      app.use(requestContext(log));
      app.use(traceContext());
      app.use((ctx) => {
        requestLog(ctx).info("handled");
        ctx.body = "ok";
      });
      server = await serve(app);
    });
    after(() => server.close());

    it("puts the trace id in every log line of the request, the access line included", async () => {
      const response = await fetch(server.baseUrl, { headers: { traceparent: INCOMING } });
      await response.text();
      expect(lines.map((line) => line.msg)).to.deep.equal(["handled", "request"]);
      for (const line of lines) expect(line).to.include({ traceId: TRACE_ID });
    });
  });
});
