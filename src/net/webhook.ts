/**
 * Signed webhook delivery: when a long-form job ends, the server POSTs its result to a URL the client gave.
 * That URL is client input pointing our server at a host, so it obeys the same SSRF rules as URL audio sources:
 * only public hosts unless allow-listed, checked again before every attempt (DNS may change between the job's
 * start and its end, or between retries), and each connection goes only to the addresses just checked.
 * Delivery never throws: the job's result must not depend on whether the client's server is up.
 */
import { createHmac } from "node:crypto";
import { request as httpRequest } from "node:http";
import { request as httpsRequest, type RequestOptions } from "node:https";
import { isIP } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import { normalizeHost } from "./address-policy.js";
import type { AllowList } from "./allow-list.js";
import { checkedAddresses, pinnedLookup, type CheckContext, type HostResolver } from "./checked-addresses.js";
import { parseHttpUrl, type GetContext } from "./http-get.js";
import { ValidationError } from "../domain/errors.js";

export const SIGNATURE_HEADER = "x-chatterbox-signature";
const DELIVERY_HEADER = "x-chatterbox-delivery";
const FIELD = "webhook_url";
const USER_AGENT = "chatterbox-tts-extended-plus (webhook)";

export interface WebhookDelivery {
  url: URL;
  /** The HMAC key shared with the client, so it can tell our calls from forged ones. */
  secret: string;
  /** Sent as JSON. */
  body: object;
  /** E.g. the job id, sent as x-chatterbox-delivery, so the client can ignore a retried duplicate. */
  deliveryId: string;
}

export interface WebhookOptions {
  allow: AllowList;
  resolve: HostResolver;
  /** Bounds each attempt: address check, connection and response headers. */
  timeoutMs: number;
  /** Total attempts, the first included; at least one is made. */
  attempts: number;
  /** ms before retry n (1-based); tests pass 0 */
  backoffMs(attempt: number): number;
  /** Cancels delivery (e.g. server shutdown); the result then says so. */
  signal?: AbortSignal | undefined;
  /** Extra trusted certificates (PEM) for https, e.g. a private CA. */
  ca?: GetContext["ca"];
}

export interface WebhookResult {
  delivered: boolean;
  /** Attempts made, counting the last one. */
  attempts: number;
  /** The HTTP status of the last response, when there was one. */
  status?: number;
  /** Why the last attempt failed; absent when delivered. */
  error?: string;
}

/** One attempt's outcome: `retry` only for failures a later attempt may not repeat. */
interface AttemptOutcome {
  verdict: "delivered" | "retry" | "stop";
  status?: number;
  error?: string;
}

/**
 * Parses and checks a client's webhook URL when the job is submitted, so a refused host is a 422 naming
 * `webhook_url` then, not a silent failure when the job ends.
 */
export async function checkWebhookUrl(text: string, context: Omit<CheckContext, "field">): Promise<URL> {
  const url = parseHttpUrl(text, FIELD);
  await checkedAddresses(url, { ...context, field: FIELD });
  return url;
}

/**
 * `t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">`. The timestamp is signed with the body so a recorded
 * delivery cannot be replayed later with a fresh timestamp; the client rejects old ones.
 */
export function webhookSignature(secret: string, timestampSeconds: number, body: string): string {
  const mac = createHmac("sha256", secret).update(`${timestampSeconds}.${body}`).digest("hex");
  return `t=${timestampSeconds},v1=${mac}`;
}

/** POSTs the delivery, retrying transient failures; reports what happened instead of throwing. */
export async function deliverWebhook(delivery: WebhookDelivery, options: WebhookOptions): Promise<WebhookResult> {
  const payload = JSON.stringify(delivery.body);
  const maxAttempts = Math.max(1, Math.floor(options.attempts));
  let outcome: AttemptOutcome = { verdict: "stop", error: "not attempted" };
  let attempt = 0;
  while (attempt < maxAttempts) {
    if (attempt > 0 && !(await backoff(options.backoffMs(attempt), options.signal))) {
      return result({ verdict: "stop", error: "delivery cancelled" }, attempt, outcome.status);
    }
    attempt++;
    outcome = await attemptDelivery(delivery, payload, options);
    if (outcome.verdict !== "retry") break;
  }
  return result(outcome, attempt);
}

function result(outcome: AttemptOutcome, attempts: number, lastStatus?: number): WebhookResult {
  const status = outcome.status ?? lastStatus;
  return {
    delivered: outcome.verdict === "delivered",
    attempts,
    ...(status === undefined ? {} : { status }),
    ...(outcome.error === undefined ? {} : { error: outcome.error }),
  };
}

/** Waits before a retry; false when delivery was cancelled meanwhile. */
async function backoff(ms: number, signal: AbortSignal | undefined): Promise<boolean> {
  if (signal?.aborted) return false;
  if (ms <= 0) return true;
  try {
    await sleep(ms, undefined, { signal });
    return true;
  } catch {
    return false;
  }
}

/** One attempt under its own deadline: check the host again, then POST to exactly the addresses checked. */
async function attemptDelivery(
  delivery: WebhookDelivery,
  payload: string,
  options: WebhookOptions,
): Promise<AttemptOutcome> {
  const deadline = AbortSignal.timeout(options.timeoutMs);
  const signal = options.signal ? AbortSignal.any([options.signal, deadline]) : deadline;
  try {
    const url = parseHttpUrl(delivery.url.href, FIELD);
    const addresses = await checkedAddresses(url, {
      allow: options.allow,
      resolve: options.resolve,
      signal,
      field: FIELD,
    });
    const request: RequestOptions = {
      method: "POST",
      // A pooled keep-alive socket could lead to an address this attempt did not check.
      agent: false,
      lookup: pinnedLookup(addresses),
      signal,
      headers: headersFor(delivery, payload),
      ...tlsOptions(url, options.ca),
    };
    return verdictOf(await post(url, request, payload));
  } catch (error) {
    return failureOf(error, { deadline, caller: options.signal, timeoutMs: options.timeoutMs });
  }
}

/** Signed with the time of this attempt, so a retry is not refused by a client's replay window. */
function headersFor(delivery: WebhookDelivery, payload: string): Record<string, string> {
  const timestamp = Math.floor(Date.now() / 1000);
  return {
    "content-type": "application/json",
    "content-length": String(Buffer.byteLength(payload)),
    "user-agent": USER_AGENT,
    [SIGNATURE_HEADER]: webhookSignature(delivery.secret, timestamp, payload),
    [DELIVERY_HEADER]: delivery.deliveryId,
  };
}

/** TLS must verify the certificate of the URL's name, not of the pinned address the socket connects to. */
function tlsOptions(url: URL, ca: WebhookOptions["ca"]): RequestOptions {
  if (url.protocol !== "https:") return {};
  const host = normalizeHost(url.hostname);
  return { ...(isIP(host) === 0 ? { servername: host } : {}), ...(ca ? { ca } : {}) };
}

/**
 * Resolves with the status once the headers arrive. The body is drained and ignored (nothing in it changes the
 * outcome); the request's signal still ends a body that never stops.
 */
function post(url: URL, options: RequestOptions, payload: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const request = (url.protocol === "https:" ? httpsRequest : httpRequest)(url, options, (response) => {
      response.on("error", () => undefined);
      response.resume();
      resolve(response.statusCode ?? 0);
    });
    request.on("error", reject);
    request.end(payload);
  });
}

/** 2xx delivered; 429 and 5xx may pass; a redirect is not followed (it could lead anywhere) and stops like a 4xx. */
function verdictOf(status: number): AttemptOutcome {
  if (status >= 200 && status < 300) return { verdict: "delivered", status };
  const retry = status === 429 || status >= 500;
  const why = status >= 300 && status < 400 ? " (redirects are not followed)" : "";
  return { verdict: retry ? "retry" : "stop", status, error: `the webhook URL answered HTTP ${status}${why}` };
}

/** A refused host will be refused again and a cancelled delivery is over; timeouts and network errors may pass. */
function failureOf(
  error: unknown,
  context: { deadline: AbortSignal; caller: AbortSignal | undefined; timeoutMs: number },
): AttemptOutcome {
  if (context.caller?.aborted) return { verdict: "stop", error: "delivery cancelled" };
  if (context.deadline.aborted) return { verdict: "retry", error: `no answer within ${context.timeoutMs} ms` };
  if (error instanceof ValidationError) return { verdict: "stop", error: error.message };
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  const message = error instanceof Error ? error.message : String(error);
  return { verdict: "retry", error: code && !message.includes(code) ? `${code}: ${message}` : message };
}
