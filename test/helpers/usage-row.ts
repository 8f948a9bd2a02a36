/** A usage row for tests: a successful POST /api/v1/tts with nothing measured, plus `overrides`. */
import { NOTHING_MEASURED, type UsageRecord } from "../../src/services/usage/usage-record.js";

export function usageRow(overrides: Partial<UsageRecord>): UsageRecord {
  return {
    at: new Date(),
    requestId: "r",
    keyId: null,
    endpoint: "POST /api/v1/tts",
    status: 200,
    ...NOTHING_MEASURED,
    durationMs: 10,
    ...overrides,
  };
}
