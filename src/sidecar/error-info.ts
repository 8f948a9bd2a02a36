/**
 * Reads the machine-readable reason the sidecar attaches to every error status: a google.rpc.Status in
 * the `grpc-status-details-bin` trailer holding one google.rpc.ErrorInfo (domain "chatterbox.v1").
 */
import type { Metadata } from "@grpc/grpc-js";
import { ErrorInfo } from "./generated/google/rpc/error_details.js";
import { Status } from "./generated/google/rpc/status.js";

/** The sidecar's error domain; ErrorInfo from anything else is not ours to interpret. */
export const SIDECAR_ERROR_DOMAIN = "chatterbox.v1";
const ERROR_INFO_TYPE_URL = "type.googleapis.com/google.rpc.ErrorInfo";

/** The stable reason and its metadata (e.g. `field`, `limit`). */
export interface SidecarErrorInfo {
  reason: string;
  metadata: Record<string, string>;
}

/** The sidecar's ErrorInfo in a failed call's trailers, or undefined when absent or unreadable. */
export function sidecarErrorInfo(trailers: Metadata | undefined): SidecarErrorInfo | undefined {
  const [raw] = trailers?.get("grpc-status-details-bin") ?? [];
  if (!(raw instanceof Uint8Array)) return undefined;
  try {
    const detail = Status.decode(raw).details.find((any) => any.typeUrl === ERROR_INFO_TYPE_URL);
    if (!detail) return undefined;
    const info = ErrorInfo.decode(detail.value);
    return info.domain === SIDECAR_ERROR_DOMAIN ? { reason: info.reason, metadata: info.metadata } : undefined;
  } catch {
    return undefined; // malformed details never hide the status itself
  }
}
