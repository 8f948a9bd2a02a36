import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "chai";
import { errorCategory, errorSeverity } from "../../../../src/services/usage/error-classes.js";
import { ErrorReport, ERROR_WINDOW_MS } from "../../../../src/services/usage/error-report.js";
import { UsageLog } from "../../../../src/services/usage/usage-log.js";
import { usageRow } from "../../../helpers/usage-row.js";
import type { UsageRecord } from "../../../../src/services/usage/usage-record.js";
import { UsageStats } from "../../../../src/services/usage/usage-stats.js";
import { openDatabase, type Db } from "../../../../src/storage/db/database.js";

const NOW = Date.parse("2026-12-02T12:00:00Z");
const FREE = { currency: "EUR", per1kInputChars: 0, perInputAudioMinute: 0, perOutputAudioMinute: 0 };

const row = (overrides: Partial<UsageRecord>) => usageRow({ at: new Date(NOW - 60_000), ...overrides });

describe("services/usage error reports", () => {
  it("categorises by status, and SERVER_MISCONFIGURED as configuration whatever its status", () => {
    expect([429, 502, 503, 504].map((status) => errorCategory(status, "X"))).to.deep.equal(Array(4).fill("transient"));
    expect([413, 507].map((status) => errorCategory(status, "X"))).to.deep.equal(["resource", "resource"]);
    expect(errorCategory(500, "SERVER_MISCONFIGURED")).to.equal("configuration");
    expect(errorCategory(503, "SERVER_MISCONFIGURED")).to.equal("configuration");
    expect([400, 404, 409, 422, 500].map((status) => errorCategory(status, "X"))).to.deep.equal(
      Array(5).fill("permanent"),
    );
  });

  it("rates 4xx low, busy or unavailable medium, other 5xx high and critical from the third repeat", () => {
    expect([400, 404, 413, 422].map((status) => errorSeverity(status, 9))).to.deep.equal(Array(4).fill("low"));
    expect([429, 502, 503, 504].map((status) => errorSeverity(status, 9))).to.deep.equal(Array(4).fill("medium"));
    expect([errorSeverity(500, 1), errorSeverity(500, 2), errorSeverity(500, 3)]).to.deep.equal([
      "high",
      "high",
      "critical",
    ]);
  });

  describe("over the usage table", () => {
    let dir: string;
    let db: Db;
    let report: ErrorReport;
    let stats: UsageStats;
    before(async () => {
      dir = await mkdtemp(join(tmpdir(), "errors-"));
      db = openDatabase(dir);
      const log = new UsageLog(db, FREE);
      stats = new UsageStats(db);
      report = new ErrorReport(stats);
      log.record(row({ requestId: "ok", durationMs: 30 }));
      log.record(
        row({ requestId: "old", status: 500, errorCode: "INFERENCE_FAILED", at: new Date(NOW - ERROR_WINDOW_MS - 1) }),
      );
      for (const [index, at] of [3, 2, 1].entries()) {
        log.record(
          row({ requestId: `fail${index}`, status: 500, errorCode: "INFERENCE_FAILED", at: new Date(NOW - at * 1000) }),
        );
      }
      log.record(row({ requestId: "busy", status: 503, errorCode: "MODEL_NOT_READY", durationMs: 2 }));
      log.record(row({ requestId: "key", status: 401, errorCode: "INVALID_API_KEY" }));
      log.record(row({ requestId: "gone", status: 499, errorCode: "CLIENT_CLOSED_REQUEST" }));
      log.record(row({ requestId: "probe", endpoint: "GET (no route)", status: 404, errorCode: "RESOURCE_NOT_FOUND" }));
      log.record(
        row({ requestId: "miss", endpoint: "GET /outputs/*path", status: 404, errorCode: "RESOURCE_NOT_FOUND" }),
      );
      log.record(row({ requestId: "ws", endpoint: "WS /v1/audio/speech/ws", durationMs: 60_000 }));
    });
    after(async () => {
      db.close();
      await rm(dir, { recursive: true, force: true });
    });

    it("counts the window's failures, leaving out refused keys, clients that left and unknown paths", () => {
      const summary = report.summary(NOW);
      expect(summary).to.deep.include({
        total_errors: 5,
        by_category: { transient: 1, permanent: 4, resource: 0, configuration: 0 },
        by_severity: { low: 1, medium: 1, high: 0, critical: 3 },
        by_operation: { "POST /api/v1/tts": 4, "GET /outputs/*path": 1 },
        most_frequent: { "POST /api/v1/tts:INFERENCE_FAILED": 3 },
        unresolved_count: 5,
      });
      expect(summary.recent_errors.map((record) => record.context.request_id)).to.deep.equal([
        "fail2",
        "fail1",
        "fail0",
        "miss",
        "busy",
      ]);
    });

    it("lists the newest failures as records whose message, retries and resolution are constants", () => {
      const { recent_errors, total_stored } = report.recent(NOW, 1);
      expect(total_stored).to.equal(5);
      expect(recent_errors).to.deep.equal([
        {
          timestamp: new Date(NOW - 1000).toISOString(),
          operation: "POST /api/v1/tts",
          error_type: "INFERENCE_FAILED",
          error_message: null,
          category: "permanent",
          severity: "critical",
          context: { request_id: "fail2", key_id: null, status: 500 },
          retry_count: 0,
          resolved: false,
          resolution_timestamp: null,
        },
      ]);
    });

    it("times successful inference requests apart from all HTTP requests, sessions left out", () => {
      const since = NOW - 3_600_000;
      expect(stats.durations("processing", since)).to.deep.equal({ min_ms: 30, max_ms: 30, avg_ms: 30, count: 1 });
      expect(stats.durations("response", since)).to.deep.equal({ min_ms: 2, max_ms: 30, avg_ms: 11.3, count: 9 });
      expect(stats.durations("response", NOW)).to.deep.equal({ min_ms: null, max_ms: null, avg_ms: null, count: 0 });
    });
  });
});
