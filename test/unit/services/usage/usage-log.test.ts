import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "chai";
import { UsageLog } from "../../../../src/services/usage/usage-log.js";
import { costOf, type PriceTable, type UsageRecord } from "../../../../src/services/usage/usage-record.js";
import { usageRow } from "../../../helpers/usage-row.js";
import { openDatabase, type Db } from "../../../../src/storage/db/database.js";

const PRICES: PriceTable = { currency: "EUR", per1kInputChars: 10, perInputAudioMinute: 1, perOutputAudioMinute: 2 };

const row = (overrides: Partial<UsageRecord>) =>
  usageRow({
    at: new Date("2026-12-01T10:00:00Z"),
    keyId: "k1",
    engine: "piper",
    format: "wav",
    streamMode: "file",
    durationMs: 5,
    ...overrides,
  });

describe("services/usage", () => {
  it("prices characters in and audio in and out, and charges nothing for a failed request", () => {
    expect(costOf(row({ inputChars: 500, inputAudioMs: 30_000, outputAudioMs: 90_000 }), PRICES)).to.equal(5 + 0.5 + 3);
    expect(costOf(row({ inputChars: 500, status: 503 }), PRICES)).to.equal(0);
  });

  describe("UsageLog", () => {
    let dir: string;
    let db: Db;
    let log: UsageLog;
    before(async () => {
      dir = await mkdtemp(join(tmpdir(), "usage-"));
      db = openDatabase(dir);
      log = new UsageLog(db, PRICES);
      log.record(row({ inputChars: 1000 }));
      log.record(row({ keyId: "k2", at: new Date("2026-12-02T09:00:00Z"), inputChars: 2000, outputAudioMs: 60_000 }));
      log.record(row({ keyId: null, endpoint: "GET /api/v1/voices", status: 401, errorCode: "INVALID_API_KEY" }));
    });
    after(async () => {
      db.close();
      await rm(dir, { recursive: true, force: true });
    });

    it("totals what the filter selects, zeros included when nothing matches", () => {
      expect(log.totals({})).to.include({ requests: 3, errors: 1, input_chars: 3000, cost: 10 + 20 + 2 });
      expect(log.totals({ keyId: "k2" })).to.include({ requests: 1, input_chars: 2000 });
      expect(log.totals({ fromMs: Date.parse("2026-12-02T00:00:00Z") })).to.include({ requests: 1 });
      expect(log.totals({ toMs: Date.parse("2026-12-01T10:00:00Z") })).to.deep.equal({
        requests: 0,
        errors: 0,
        input_chars: 0,
        input_audio_ms: 0,
        output_audio_ms: 0,
        bytes_out: 0,
        cost: 0,
      });
    });

    it("groups by key, UTC day and endpoint, and lists rows newest first", () => {
      expect(log.grouped({}, "key").map((group) => [group.group, group.requests])).to.deep.equal([
        ["", 1],
        ["k1", 1],
        ["k2", 1],
      ]);
      expect(log.grouped({}, "day").map((group) => [group.group, group.requests])).to.deep.equal([
        ["2026-12-01", 2],
        ["2026-12-02", 1],
      ]);
      expect(log.grouped({ endpoint: "GET /api/v1/voices" }, "endpoint")).to.have.length(1);
      const listed = log.rows({}, { limit: 2, offset: 0 });
      expect(listed.map((listedRow) => listedRow.at)).to.deep.equal([
        "2026-12-02T09:00:00.000Z",
        "2026-12-01T10:00:00.000Z",
      ]);
    });

    it("groups by engine, a row without one under the empty name", () => {
      log.record(row({ at: new Date("2026-12-01T10:59:59Z"), engine: "espeak", inputChars: 10 }));
      try {
        expect(log.grouped({}, "engine").map((group) => [group.group, group.requests])).to.deep.equal([
          ["espeak", 1],
          ["piper", 3],
        ]);
      } finally {
        db.prepare("DELETE FROM usage WHERE engine = 'espeak'").run();
      }
    });

    it("totals per UTC minute, hour or day bucket that holds rows, oldest first", () => {
      const starts = (bucket: "minute" | "hour" | "day") =>
        log.bucketed({}, bucket).map((found) => [found.start, found.requests, found.input_chars]);
      expect(starts("hour")).to.deep.equal([
        ["2026-12-01T10:00:00Z", 2, 1000],
        ["2026-12-02T09:00:00Z", 1, 2000],
      ]);
      expect(starts("day")).to.deep.equal([
        ["2026-12-01T00:00:00Z", 2, 1000],
        ["2026-12-02T00:00:00Z", 1, 2000],
      ]);
      expect(starts("minute")[0]).to.deep.equal(["2026-12-01T10:00:00Z", 2, 1000]);
      expect(log.bucketed({ keyId: "k2" }, "day")[0]).to.include({ output_audio_ms: 60_000, cost: 22, errors: 0 });
    });

    it("splits each bucket by key, endpoint or engine when asked, groups in order within a bucket", () => {
      const split = log.bucketed({}, "hour", "key").map((found) => [found.start, found.group, found.requests]);
      expect(split).to.deep.equal([
        ["2026-12-01T10:00:00Z", "", 1],
        ["2026-12-01T10:00:00Z", "k1", 1],
        ["2026-12-02T09:00:00Z", "k2", 1],
      ]);
      const errors = log.bucketed({}, "day", "endpoint").filter((found) => found.errors > 0);
      expect(errors).to.have.length(1);
      expect(errors[0]).to.include({ start: "2026-12-01T00:00:00Z", group: "GET /api/v1/voices", errors: 1 });
      expect(log.bucketed({ fromMs: Date.parse("2026-12-03T00:00:00Z") }, "minute", "engine")).to.deep.equal([]);
    });
  });
});
