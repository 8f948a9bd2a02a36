/**
 * Resolves a URL's host once, refuses it when any address is not public (unless allow-listed), and hands the
 * connection exactly the addresses it checked. Resolving again at connect time would let a DNS server answer
 * "public" to the check and "127.0.0.1" to the connection (DNS rebinding).
 */
import { lookup } from "node:dns/promises";
import type { LookupAddress } from "node:dns";
import type { LookupFunction } from "node:net";
import { blockedAddressKind, blockedHostKind, normalizeHost } from "./address-policy.js";
import type { AllowList } from "./allow-list.js";
import { parseIp } from "./ip-address.js";
import { UpstreamError } from "../domain/errors.js";
import { invalidUrl } from "./url-source-errors.js";

export interface ResolvedAddress {
  address: string;
  family: 4 | 6;
}

/** Host name → all its addresses. The default is the system resolver; tests inject their own. */
export type HostResolver = (hostname: string) => Promise<ResolvedAddress[]>;

export const systemResolver: HostResolver = async (hostname) => {
  const found = await lookup(hostname, { all: true, verbatim: true });
  return found.map(({ address, family }) => ({ address, family: family === 6 ? 6 : 4 }));
};

export interface CheckContext {
  allow: AllowList;
  resolve: HostResolver;
  signal: AbortSignal;
  /** The request field the URL came from, named in errors. */
  field: string;
}

/** DNS answers that mean "no such host": the client's URL is wrong, not the network. */
const NO_SUCH_HOST = new Set(["ENOTFOUND", "ENODATA", "EAI_NONAME", "EAI_NODATA"]);

const HOW_TO_ALLOW = "URL sources may only reach public internet hosts (url_sources.allow_hosts can allow others)";

/** The addresses to connect to, all checked; throws a 422 naming the field when the host is refused. */
export async function checkedAddresses(url: URL, context: CheckContext): Promise<ResolvedAddress[]> {
  const host = normalizeHost(url.hostname);
  const hostAllowed = context.allow.allowsHost(host);
  const hostKind = hostAllowed ? undefined : blockedHostKind(host);
  if (hostKind) throw invalidUrl(context.field, `'${host}' is ${hostKind}; ${HOW_TO_ALLOW}`, "url_host_not_allowed");
  const literal = parseIp(host);
  const addresses = literal
    ? [{ address: host, family: literal.family }]
    : await resolveHost(host, context.resolve, context.signal, context.field);
  if (hostAllowed) return addresses;
  for (const { address } of addresses) {
    const parsed = parseIp(address);
    if (!parsed) throw new Error(`the resolver returned '${address}', which is not an IP address`);
    const kind = blockedAddressKind(parsed);
    if (kind === undefined || context.allow.allowsAddress(parsed)) continue;
    // A literal is the client's own text; for a name, the address it resolves to is not disclosed.
    const what = literal ? `${host} is not a public address` : `'${host}' resolves to an address that is not public`;
    throw invalidUrl(context.field, `${what} (${kind}); ${HOW_TO_ALLOW}`, "url_host_not_allowed");
  }
  return addresses;
}

async function resolveHost(
  host: string,
  resolve: HostResolver,
  signal: AbortSignal,
  field: string,
): Promise<ResolvedAddress[]> {
  signal.throwIfAborted();
  let addresses: ResolvedAddress[];
  try {
    // The system resolver cannot be cancelled; stop waiting for it when the download is aborted.
    addresses = await untilAborted(resolve(host), signal);
  } catch (error) {
    if (signal.aborted) throw signal.reason;
    const code = (error as NodeJS.ErrnoException).code ?? "";
    if (NO_SUCH_HOST.has(code)) throw invalidUrl(field, `the host '${host}' does not exist`, "url_host_not_found");
    throw new UpstreamError(`${field}: the host '${host}' could not be resolved (${code})`, "URL_SOURCE_UNREACHABLE");
  }
  if (addresses.length === 0) throw invalidUrl(field, `the host '${host}' has no addresses`, "url_host_not_found");
  return addresses;
}

function untilAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener("abort", onAbort));
  });
}

/**
 * A `lookup` for http.request that answers with the checked addresses and never asks DNS. Node asks for all
 * addresses when it tries IPv6 and IPv4 in turn (autoSelectFamily), else for one.
 */
export function pinnedLookup(addresses: readonly ResolvedAddress[]): LookupFunction {
  return (_hostname, options, callback) => {
    const wanted = options.family === 4 || options.family === 6 ? options.family : undefined;
    const usable = addresses.filter(({ family }) => wanted === undefined || family === wanted);
    const first = usable[0];
    if (!first) {
      const error: NodeJS.ErrnoException = new Error(`no IPv${wanted} address was checked`);
      error.code = "ENOTFOUND";
      callback(error, "");
    } else if (options.all) {
      callback(
        null,
        usable.map(({ address, family }): LookupAddress => ({ address, family })),
      );
    } else {
      callback(null, first.address, first.family);
    }
  };
}
