/**
 * GET /v1/audio/speech/ws, the realtime speech WebSocket (docs/api/realtime.md). The HTTP server's `upgrade`
 * requests are taken here: this path becomes a session, any other path is answered 404 and closed. A plain
 * GET of the path (no upgrade) goes through Koa like any request and is answered 426 with OpenAI's error body.
 * Every answer to an upgrade, the 101 and each refusal, carries the request's X-Request-ID, as HTTP answers do.
 */
import type { IncomingMessage, Server } from "node:http";
import { STATUS_CODES } from "node:http";
import type { Duplex } from "node:stream";
import Router from "@koa/router";
import { WebSocket, WebSocketServer } from "ws";
import type { AppConfig } from "../../config/app-config.js";
import { DomainError, NotFoundError } from "../../domain/errors.js";
import type { Logger } from "../../logging.js";
import type { VoiceResolver } from "../../services/openai/voice-resolver.js";
import type { RealtimeMetrics } from "../../services/metrics/app-metrics.js";
import { childSpan, formatTraceparent, parseTraceparent, startTrace } from "../../domain/trace-context.js";
import type { ApiKey } from "../../services/auth/api-key-store.js";
import type { Admission, KeyLimiter } from "../../services/auth/key-limiter.js";
import type { TtsService } from "../../services/tts/tts-service.js";
import type { UsageLog } from "../../services/usage/usage-log.js";
import { authorize, bearerSecret, type KeyVerifier } from "../auth/api-key-auth.js";
import { foreignOriginError, originGate } from "../middleware/cors.js";
import { requestIdFor } from "../middleware/request-context.js";
import { toErrorResponse, UpgradeRequiredError, type ErrorResponse } from "../error-table.js";
import { isOpenAiPath, toOpenAiError } from "../openai/openai-error.js";
import { RealtimeSession, type RealtimeSessionOptions, type SessionSummary } from "./realtime-session.js";
import { UpgradeAccounting } from "./upgrade-accounting.js";

export const REALTIME_PATH = "/v1/audio/speech/ws";

/** Bytes of audio waiting in a client's socket above which synthesis waits for the client (~4 s of pcm). */
const HIGH_WATER_MARK = 256 * 1024;
/** A session's client gets this long to answer a closing handshake at shutdown. */
const CLOSE_GRACE_MS = 2000;

export interface RealtimeEndpointOptions {
  tts: Pick<TtsService, "stream" | "segmentLimit">;
  voices: Pick<VoiceResolver, "resolve">;
  config: Pick<AppConfig, "ttsDefaults" | "audio" | "openai" | "auth" | "server">;
  /** Checks API keys while `auth.enabled`, and their limits: a session holds one request for its lifetime. */
  keys: KeyVerifier;
  limiter: Pick<KeyLimiter, "admit">;
  /** Gets one row per upgrade request: a refusal, or a session when it closes. */
  usage: Pick<UsageLog, "record">;
  /** The app's metrics, which count upgrades and open sessions beside the HTTP requests. */
  metrics: RealtimeMetrics;
  log: Logger;
}

/**
 * Browsers cannot set headers on a WebSocket: they may send the key as a subprotocol `<this><key>` instead, as
 * OpenAI's realtime API accepts. The server never echoes that protocol back.
 */
const KEY_PROTOCOL = "openai-insecure-api-key.";

export interface RealtimeEndpoint {
  /** Closes every session (1001, going away) and stops taking upgrades. */
  close(): Promise<void>;
}

/** The route a plain GET of the WebSocket's path takes: 426, with the protocol to use in `Upgrade`. */
export function realtimeRoutes(): Router {
  const router = new Router();
  router.get(REALTIME_PATH, () => {
    throw new UpgradeRequiredError(
      `${REALTIME_PATH} is a WebSocket endpoint: connect with a WebSocket client (Upgrade: websocket); docs/api/realtime.md describes its events`,
    );
  });
  return router;
}

export function attachRealtimeEndpoint(server: Server, options: RealtimeEndpointOptions): RealtimeEndpoint {
  const { openai, server: serverConfig } = options.config;
  // Browsers let any page open a WebSocket anywhere (no CORS): only pages of origins we trust may.
  const trustedOrigin = originGate(serverConfig.corsOrigins);
  // ws writes the 101 itself; its `headers` event lets us add the id of the request it answers.
  const requestIds = new WeakMap<IncomingMessage, string>();
  // Room for the longest text a session may hold, JSON-escaped (at most 6 bytes a character) with the event around it.
  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: openai.realtimeMaxPendingChars * 6 + 4096,
    handleProtocols: (offered) => [...offered].find((protocol) => !protocol.startsWith(KEY_PROTOCOL)) ?? false,
  });
  wss.on("headers", (headers, request) => headers.push(`X-Request-ID: ${requestIds.get(request)}`));
  const onUpgrade = (request: IncomingMessage, socket: Duplex, head: Buffer): void => {
    socket.on("error", (error) => options.log.debug({ err: error }, "realtime: upgrade socket error"));
    const path = new URL(request.url ?? "/", "http://localhost").pathname;
    const requestId = requestIdFor(request.headers["x-request-id"]);
    const usage = new UpgradeAccounting(options.usage, options.metrics, { path, requestId });
    const { key, admission, refusal } = admitUpgrade(request, path, { ...options, trustedOrigin });
    const keyId = key?.id ?? null;
    if (refusal) {
      const { status, body } = rejectUpgrade(socket, { path, requestId }, refusal);
      return usage.refused(status, body.error_code, keyId);
    }
    const onClose = (summary: SessionSummary) => {
      admission?.release();
      usage.closed(summary, keyId);
    };
    // The session is one span of the caller's trace (or of a new one): its log lines and engine calls carry it.
    const incoming = request.headers.traceparent;
    const trace = childSpan(parseTraceparent(typeof incoming === "string" ? incoming : undefined) ?? startTrace());
    requestIds.set(request, requestId);
    wss.handleUpgrade(request, socket, head, (ws) => {
      usage.opened();
      const log = options.log.child({ reqId: requestId });
      startSession(ws, { ...options, log, onClose, traceparent: formatTraceparent(trace) });
    });
  };
  server.on("upgrade", onUpgrade);
  return {
    close: async () => {
      server.off("upgrade", onUpgrade);
      await Promise.all([...wss.clients].map(closeGracefully));
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}

/** An upgrade request's fate: a session (with its key and admission while keys are on), or `refusal`. */
interface UpgradeAdmission {
  key?: ApiKey;
  admission?: Admission;
  refusal?: DomainError;
}

/**
 * What an upgrade request may become: a session (with its key and admission while keys are on), or the error
 * that refuses it. Refused in this order: another path (404), a web page of an origin we do not trust (403),
 * then the key and its limits.
 */
function admitUpgrade(
  request: IncomingMessage,
  path: string,
  options: Pick<RealtimeEndpointOptions, "config" | "keys" | "limiter"> & {
    trustedOrigin: ReturnType<typeof originGate>;
  },
): UpgradeAdmission {
  if (path !== REALTIME_PATH) return { refusal: new NotFoundError(`Not found: ${path}`) };
  const { origin, host } = request.headers;
  if (!options.trustedOrigin(origin, host)) return { refusal: foreignOriginError(origin ?? "") };
  return authenticateUpgrade(request, options);
}

/**
 * Every upgrade passes here before it becomes a session: its key and its admission under the key's limits, or
 * the error (401, 403, 429) that refuses it.
 */
function authenticateUpgrade(
  request: IncomingMessage,
  { config, keys, limiter }: Pick<RealtimeEndpointOptions, "config" | "keys" | "limiter">,
): UpgradeAdmission {
  if (!config.auth.enabled) return {};
  const offered = (request.headers["sec-websocket-protocol"] ?? "").split(",").map((protocol) => protocol.trim());
  const fromProtocol = offered.find((protocol) => protocol.startsWith(KEY_PROTOCOL))?.slice(KEY_PROTOCOL.length);
  let key: ApiKey | undefined;
  try {
    key = authorize(keys, bearerSecret(request.headers.authorization) ?? fromProtocol, "realtime");
    return { key, admission: limiter.admit(key) };
  } catch (error) {
    if (error instanceof DomainError) return { ...(key ? { key } : {}), refusal: error };
    throw error;
  }
}

function startSession(
  ws: WebSocket,
  options: RealtimeEndpointOptions & Pick<RealtimeSessionOptions, "onClose" | "traceparent">,
): void {
  const { config } = options;
  new RealtimeSession(ws, {
    tts: options.tts,
    voices: options.voices,
    defaults: config.ttsDefaults,
    encoding: config.audio,
    idleTimeoutMs: config.openai.realtimeIdleTimeoutMs,
    maxPendingChars: config.openai.realtimeMaxPendingChars,
    highWaterMark: HIGH_WATER_MARK,
    log: options.log,
    traceparent: options.traceparent,
    firstAudio: (engine, seconds) => options.metrics.http.firstAudio(REALTIME_PATH, engine, seconds),
    ...(options.onClose ? { onClose: options.onClose } : {}),
  });
}

/**
 * An HTTP answer written straight to the socket of a refused upgrade, with the error body of its API; returns
 * the answer in our terms (its status and stable code) for the usage row.
 */
function rejectUpgrade(
  socket: Duplex,
  { path, requestId }: { path: string; requestId: string },
  error: DomainError,
): ErrorResponse {
  const response = toErrorResponse(error);
  const shown = isOpenAiPath(path) ? toOpenAiError(response) : response;
  const body = JSON.stringify(shown.body);
  const headers = {
    ...shown.headers,
    "X-Request-ID": requestId,
    Connection: "close",
    "Content-Type": "application/json; charset=utf-8",
    "Content-Length": String(Buffer.byteLength(body)),
  };
  const head = Object.entries(headers).map(([name, value]) => `${name}: ${value}\r\n`);
  socket.once("finish", () => socket.destroy());
  socket.end(`HTTP/1.1 ${shown.status} ${STATUS_CODES[shown.status] ?? ""}\r\n${head.join("")}\r\n${body}`);
  return response;
}

function closeGracefully(ws: WebSocket): Promise<void> {
  if (ws.readyState === WebSocket.CLOSED) return Promise.resolve();
  return new Promise((resolve) => {
    ws.once("close", () => resolve());
    ws.close(1001, "the server is shutting down");
    setTimeout(() => ws.terminate(), CLOSE_GRACE_MS).unref();
  });
}
