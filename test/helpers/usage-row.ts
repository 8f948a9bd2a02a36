/** A usage row for tests: a successful POST /api/v1/tts with nothing measured, plus `overrides`. */
import type { UsageRecord } from "../../src/services/usage/usage-record.js";

export function usageRow(overrides: Partial<UsageRecord>): UsageRecord {
  return {
    at: new Date(),
    requestId: "r",
    keyId: null,
    endpoint: "POST /api/v1/tts",
    status: 200,
    errorCode: null,
    engine: null,
    voice: null,
    format: null,
    streamMode: null,
    inputChars: 0,
    inputAudioMs: 0,
    outputAudioMs: 0,
    bytesOut: 0,
    ttfbMs: null,
    durationMs: 10,
    ...overrides,
  };
}
