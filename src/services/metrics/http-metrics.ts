/**
 * The HTTP metrics the request middleware feeds. Every label has a bounded set of values: `route` is the
 * pattern a router registered (`/api/v1/voices/*path`) or `unmatched`, never the raw URL, so a client walking
 * through file names cannot create a time series per name.
 */
import { Counter, Histogram, type Registry } from "prom-client";

export interface RequestObservation {
  /** The route pattern, or `unmatched`. */
  route: string;
  method: string;
  /** As sent; 499 when the client left before the response was complete. */
  status: number;
  seconds: number;
  /** Body bytes written (headers not included). */
  bytes: number;
}

export interface HttpMetrics {
  request(observation: RequestObservation): void;
  /** Time from a speech request's arrival to its first audio byte sent, with the engine that spoke. */
  firstAudio(route: string, engine: string, seconds: number): void;
}

/** Up to five minutes: long TTS requests legitimately take minutes, and their tail matters most. */
const DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300];
const FIRST_AUDIO_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2, 4, 8, 15, 30, 60, 120];

export function createHttpMetrics(registry: Registry): HttpMetrics {
  const registers = [registry];
  const labelNames = ["route", "method", "status"] as const;
  const requests = new Counter({ name: "http_requests_total", help: "HTTP requests answered", labelNames, registers });
  const duration = new Histogram({
    name: "http_request_duration_seconds",
    help: "Time from a request's arrival to the end of its response (streamed bodies included)",
    labelNames,
    buckets: DURATION_BUCKETS,
    registers,
  });
  const bytes = new Counter({
    name: "http_response_bytes_total",
    help: "Response body bytes sent",
    labelNames: ["route"] as const,
    registers,
  });
  const firstAudio = new Histogram({
    name: "tts_time_to_first_audio_seconds",
    help: "Time from a speech request's arrival to its first audio byte sent to the client",
    labelNames: ["route", "engine"] as const,
    buckets: FIRST_AUDIO_BUCKETS,
    registers,
  });
  return {
    request({ route, method, status, seconds, bytes: sent }) {
      const labels = { route, method, status: String(status) };
      requests.inc(labels);
      duration.observe(labels, seconds);
      bytes.inc({ route }, sent);
    },
    firstAudio(route, engine, seconds) {
      firstAudio.observe({ route, engine }, seconds);
    },
  };
}
