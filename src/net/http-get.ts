/**
 * GET with redirects, where every hop is checked before it is connected to and connects only to the addresses
 * it was checked with. Returns the final response unread; the caller owns its body.
 */
import { request as httpRequest, STATUS_CODES, type IncomingMessage } from "node:http";
import { request as httpsRequest, type RequestOptions } from "node:https";
import { isIP } from "node:net";
import { normalizeHost } from "./address-policy.js";
import { checkedAddresses, pinnedLookup, type CheckContext, type ResolvedAddress } from "./checked-addresses.js";
import { UpstreamError } from "../domain/errors.js";
import { invalidUrl } from "./url-source-errors.js";

export interface GetContext extends CheckContext {
  maxRedirects: number;
  /** Extra trusted certificates (PEM) for https, e.g. a private CA. */
  ca?: string | Buffer | Array<string | Buffer> | undefined;
  /** Told each redirect target before it is checked, so failures can name the host they happened at. */
  onRedirect?: ((to: URL) => void) | undefined;
}

export interface FinalResponse {
  response: IncomingMessage;
  url: URL;
}

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);
const HEADERS = {
  accept: "audio/*, application/octet-stream;q=0.9, */*;q=0.5",
  // The body is stored and sniffed as it comes; a compressed one would not look like audio.
  "accept-encoding": "identity",
  "user-agent": "chatterbox-tts-extended-plus (url source download)",
};

/** Only http and https; anything else is a 422 naming the field. */
export function parseHttpUrl(text: string, field: string): URL {
  let url: URL;
  try {
    url = new URL(text.trim());
  } catch {
    throw invalidUrl(field, "not a valid URL", "url_invalid");
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw invalidUrl(field, `only http and https URLs are accepted, not ${url.protocol}`, "url_scheme");
  }
  return url;
}

/** Follows up to `maxRedirects` redirects; the response returned is not a redirect and its status is 2xx. */
export async function getFollowingRedirects(start: URL, context: GetContext): Promise<FinalResponse> {
  let url = start;
  for (let redirects = 0; ; redirects++) {
    const addresses = await checkedAddresses(url, context);
    const response = await httpGet(url, addresses, context);
    const status = response.statusCode ?? 0;
    if (!REDIRECT_STATUSES.has(status)) {
      assertSuccess(response, context.field);
      return { response, url };
    }
    response.destroy();
    if (redirects >= context.maxRedirects) {
      const msg = `the URL redirected more than ${context.maxRedirects} times (url_sources.max_redirects)`;
      throw invalidUrl(context.field, msg, "url_too_many_redirects");
    }
    url = redirectTarget(url, response, context.field);
    context.onRedirect?.(url);
  }
}

function httpGet(url: URL, addresses: readonly ResolvedAddress[], context: GetContext): Promise<IncomingMessage> {
  const https = url.protocol === "https:";
  const host = normalizeHost(url.hostname);
  const options: RequestOptions = {
    // A pooled keep-alive socket could lead to an address this hop did not check.
    agent: false,
    lookup: pinnedLookup(addresses),
    signal: context.signal,
    headers: HEADERS,
    // The Host header comes from the URL; TLS must verify the certificate of the name too, not of the address.
    ...(https && isIP(host) === 0 ? { servername: host } : {}),
    ...(https && context.ca ? { ca: context.ca } : {}),
  };
  return new Promise((resolve, reject) => {
    const request = (https ? httpsRequest : httpRequest)(url, options, resolve);
    request.on("error", reject);
    request.end();
  });
}

function redirectTarget(from: URL, response: IncomingMessage, field: string): URL {
  const location = response.headers.location;
  const status = `HTTP ${response.statusCode}`;
  if (!location)
    throw new UpstreamError(`${field}: the server answered ${status} without a Location`, "URL_SOURCE_FAILED");
  let target: URL;
  try {
    target = new URL(location, from);
  } catch {
    throw new UpstreamError(`${field}: the server redirected to an invalid URL`, "URL_SOURCE_FAILED");
  }
  if (target.protocol !== "http:" && target.protocol !== "https:") {
    const msg = `the URL redirected to a ${target.protocol} URL; only http and https redirects are followed`;
    throw invalidUrl(field, msg, "url_redirect_scheme");
  }
  return target;
}

/** A 4xx is the client's URL being wrong (422); a 5xx is the remote server failing (502). */
function assertSuccess(response: IncomingMessage, field: string): void {
  const status = response.statusCode ?? 0;
  if (status >= 200 && status < 300) return;
  response.destroy();
  const named = `HTTP ${status}${STATUS_CODES[status] ? ` ${STATUS_CODES[status]}` : ""}`;
  if (status >= 500) throw new UpstreamError(`${field}: the server answered ${named}`, "URL_SOURCE_FAILED");
  throw invalidUrl(field, `the URL answered ${named}`, "url_http_status");
}
