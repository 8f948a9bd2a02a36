/** One request's usage, and its cost by the configured price table. */

export interface UsageRecord {
  /** When the request arrived. */
  at: Date;
  requestId: string;
  keyId: string | null;
  /** The route, e.g. `POST /api/v1/tts`, or `WS /v1/audio/speech/ws` for a realtime session. */
  endpoint: string;
  status: number;
  errorCode: string | null;
  engine: string | null;
  voice: string | null;
  format: string | null;
  streamMode: string | null;
  inputChars: number;
  inputAudioMs: number;
  outputAudioMs: number;
  bytesOut: number;
  ttfbMs: number | null;
  durationMs: number;
}

/** The measures of a request that measured nothing: rows start from these and set what applies. */
export const NOTHING_MEASURED = {
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
} as const satisfies Partial<UsageRecord>;

/** What the server charges, in one currency; 0 = free. */
export interface PriceTable {
  currency: string;
  per1kInputChars: number;
  perInputAudioMinute: number;
  perOutputAudioMinute: number;
}

/** The cost of a request: characters in, audio in and audio out, each at its price; failed requests cost 0. */
export function costOf(record: UsageRecord, prices: PriceTable): number {
  if (record.status >= 400) return 0;
  const cost =
    (record.inputChars / 1000) * prices.per1kInputChars +
    (record.inputAudioMs / 60_000) * prices.perInputAudioMinute +
    (record.outputAudioMs / 60_000) * prices.perOutputAudioMinute;
  // Micro-units: sums of many rows stay exact enough, and the API shows no float noise.
  return Math.round(cost * 1e6) / 1e6;
}
