/**
 * GET /api/v1/metrics and GET /api/v1/errors/summary, /errors/recent through HTTP (fake engine): the figures
 * are those of the requests this test made, read back from the usage rows the server wrote for them.
 */
import { expect } from "chai";
import { InferenceFailedError, ModelNotReadyError } from "../../../src/domain/errors.js";
import { FakeInferenceBackend } from "../../helpers/fake-inference-backend.js";
import { startTestApp, type TestApp } from "../../helpers/test-app.js";

interface Timing {
  min_ms: number | null;
  max_ms: number | null;
  avg_ms: number | null;
  count: number;
}

describe("metrics and error reports (fake engine)", () => {
  let app: TestApp;
  let failure: Error | undefined;
  let written = 0;
  let onRow: (() => void) | undefined;

  before(async () => {
    const backend = new FakeInferenceBackend({
      beforeSegment: () => {
        if (failure) throw failure;
      },
    });
    app = await startTestApp({ backend });
    // Rows are written when a response closes, just after the client has it: tests wait for them, never sleep.
    const record = app.services.usage.record.bind(app.services.usage);
    app.services.usage.record = (row) => {
      record(row);
      written += 1;
      onRow?.();
    };
  });
  after(() => app.dispose());

  /** Makes a request and returns its status and body once the server has written the request's usage row. */
  const call = async (path: string, init?: RequestInit) => {
    const target = written + 1;
    const rowWritten = new Promise<void>((resolve) => {
      onRow = () => {
        if (written >= target) resolve();
      };
    });
    const response = await fetch(`${app.baseUrl}${path}`, init);
    const text = await response.text();
    await rowWritten;
    return { status: response.status, json: () => JSON.parse(text) as Record<string, unknown> };
  };
  const tts = (text: string) =>
    call("/api/v1/tts?response_mode=json", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ text }),
    });

  it("reports processing times of successful speech and response times of every request", async () => {
    expect((await tts("Measured speech.")).status).to.equal(200);
    expect((await tts("")).status).to.equal(422);
    expect((await call("/outputs/missing.wav")).status).to.equal(404);
    const first = await call("/api/v1/metrics");
    expect(first.status).to.equal(200);
    const body = first.json() as {
      timestamp: string;
      system: Record<string, Record<string, number> | number>;
      performance: { processing_times: Timing; response_times: Timing; sample_count: object };
    };
    expect(Date.parse(body.timestamp)).to.be.closeTo(Date.now(), 60_000);
    expect(body.system.cpu_percent).to.be.within(0, 100);
    expect(body.system.memory).to.have.keys("rss_mb", "percent");
    expect(body.system.disk).to.have.keys("free_gb", "usage_percent");
    // The one successful request saved its wav and its mp3 (the default export_formats); its scratch folder is gone.
    expect(body.system.file_counts).to.deep.equal({ outputs: 2, temp: 0 });
    expect(body.performance).to.deep.include({ time_window_minutes: 60 });
    expect(body.performance.processing_times.count).to.equal(1);
    expect(body.performance.processing_times.min_ms).to.equal(body.performance.processing_times.max_ms);
    expect(body.performance.response_times.count).to.equal(3);
    expect(body.performance.sample_count).to.deep.equal({ processing_times: 1, response_times: 3 });
    // The metrics request itself is counted by the next one.
    const next = (await call("/api/v1/metrics")).json() as { performance: { response_times: Timing } };
    expect(next.performance.response_times.count).to.equal(4);
  });

  it("summarises the failures by category, severity and operation; unknown paths are left out", async () => {
    expect((await call("/no/such/route")).status).to.equal(404);
    failure = new ModelNotReadyError("loading", 5);
    expect((await tts("Not yet.")).status).to.equal(503);
    failure = new InferenceFailedError("boom");
    for (let attempt = 0; attempt < 3; attempt += 1) expect((await tts("Broken.")).status).to.equal(500);
    failure = undefined;
    const summary = (await call("/api/v1/errors/summary")).json();
    expect(summary).to.deep.include({
      total_errors: 6,
      by_category: { transient: 1, permanent: 5, resource: 0, configuration: 0 },
      by_severity: { low: 2, medium: 1, high: 0, critical: 3 },
      by_operation: { "POST /api/v1/tts": 5, "GET /outputs/*path": 1 },
      most_frequent: { "POST /api/v1/tts:INFERENCE_FAILED": 3 },
      unresolved_count: 6,
    });
    const recent = summary.recent_errors as Array<Record<string, unknown>>;
    expect(recent.map((record) => [record.error_type, record.severity])).to.deep.equal([
      ["INFERENCE_FAILED", "critical"],
      ["INFERENCE_FAILED", "critical"],
      ["INFERENCE_FAILED", "critical"],
      ["MODEL_NOT_READY", "medium"],
      ["RESOURCE_NOT_FOUND", "low"],
    ]);
    expect(recent[3]).to.deep.include({ operation: "POST /api/v1/tts", category: "transient", error_message: null });
    expect(recent[3]!.context).to.deep.include({ key_id: null, status: 503 }).and.to.have.property("request_id");
  });

  it("lists the newest failures, at most 50, and refuses other counts and parameters with 422", async () => {
    const recent = (await call("/api/v1/errors/recent?count=6")).json() as {
      recent_errors: Array<{ error_type: string; context: { status: number } }>;
      total_stored: number;
    };
    expect(recent.total_stored).to.equal(6);
    expect(recent.recent_errors.map((record) => record.context.status)).to.deep.equal([500, 500, 500, 503, 404, 422]);
    const defaults = (await call("/api/v1/errors/recent")).json() as { recent_errors: unknown[] };
    expect(defaults.recent_errors).to.have.length(6);
    for (const query of ["count=0", "count=51", "count=2.5", "count=ten", "count=", "hours=1"]) {
      const refused = await call(`/api/v1/errors/recent?${query}`);
      expect(refused.status, query).to.equal(422);
      expect(refused.json(), query).to.include({ error_code: "VALIDATION_ERROR" });
    }
    expect((await call("/api/v1/errors/summary?hours=1")).status).to.equal(422);
    // The refusals above were 422s of GET /api/v1/errors/recent: they count as failures too.
    expect(((await call("/api/v1/errors/recent?count=1")).json() as { total_stored: number }).total_stored).to.equal(
      13,
    );
  });

  it("lists metrics among the service's endpoints", async () => {
    const info = (await call("/")).json() as { endpoints: Record<string, string> };
    expect(info.endpoints.metrics).to.equal("/api/v1/metrics");
  });
});
