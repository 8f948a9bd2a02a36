/**
 * W3C Trace Context (https://www.w3.org/TR/trace-context/), the `traceparent` header only, by hand: what we
 * need is one id that follows a request from the HTTP log through the sidecar's log, and OpenTelemetry
 * tools read this header, so ids stay compatible without the SDK.
 */
import { randomBytes } from "node:crypto";

export interface TraceContext {
  /** 32 lower-case hex digits, never all zeros. */
  traceId: string;
  /** The span this hop is a child of (the caller's, or ours when passed on): 16 lower-case hex digits. */
  parentId: string;
  /** Two hex digits; bit 0 is "sampled". */
  flags: string;
}

// Version 00 exactly: lower-case hex only; other versions have other layouts we do not claim to know.
const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;
const SAMPLED = "01";

/** The context of a `traceparent` value, or undefined when it is missing or invalid (then a new trace starts). */
export function parseTraceparent(value: string | undefined): TraceContext | undefined {
  const match = TRACEPARENT.exec(value?.trim() ?? "");
  if (!match) return undefined;
  const [, traceId, parentId, flags] = match as unknown as [string, string, string, string];
  // All-zero ids are invalid by the spec.
  if (/^0+$/.test(traceId) || /^0+$/.test(parentId)) return undefined;
  return { traceId, parentId, flags };
}

export function formatTraceparent({ traceId, parentId, flags }: TraceContext): string {
  return `00-${traceId}-${parentId}-${flags}`;
}

/** A new trace, sampled: nothing downstream drops it, and there is no sampler here to decide otherwise. */
export function startTrace(): TraceContext {
  return { traceId: nonZeroHex(16), parentId: nonZeroHex(8), flags: SAMPLED };
}

/** The same trace with a new span of ours as the parent of whatever is called next; the caller's flags kept. */
export function childSpan(parent: TraceContext): TraceContext {
  return { ...parent, parentId: nonZeroHex(8) };
}

function nonZeroHex(bytes: number): string {
  for (;;) {
    const hex = randomBytes(bytes).toString("hex");
    if (!/^0+$/.test(hex)) return hex;
  }
}
