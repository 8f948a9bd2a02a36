/**
 * `url_sources.allow_hosts`: the hosts a URL download may reach even though they are not on the public
 * internet (a LAN file server, a test server on 127.0.0.1). Entries are exact host names, IP addresses or
 * CIDR ranges, IPv4 or IPv6; an IPv4 entry also covers the IPv4-mapped IPv6 form of its addresses.
 */
import { domainToASCII } from "node:url";
import { normalizeHost } from "./address-policy.js";
import {
  inRange,
  parseCidr,
  parseIp,
  rangeOf,
  unmapIpv4,
  unmapIpv4Range,
  type IpAddress,
  type IpRange,
} from "./ip-address.js";

const HOST_NAME = /^[a-z0-9_-]+(\.[a-z0-9_-]+)*$/;

type ParsedEntry = { kind: "name"; name: string } | { kind: "range"; range: IpRange } | { kind: "bad"; reason: string };

function parseEntry(entry: string): ParsedEntry {
  const text = entry.trim();
  if (text.includes("/")) {
    const range = parseCidr(text);
    return range ? { kind: "range", range: unmapIpv4Range(range) } : { kind: "bad", reason: "not a valid CIDR range" };
  }
  const address = parseIp(text);
  if (address) {
    const plain = unmapIpv4(address);
    return { kind: "range", range: rangeOf(plain, plain.family === 4 ? 32 : 128) };
  }
  if (text.includes("*")) return { kind: "bad", reason: "wildcards are not supported; list each host name" };
  if (text.includes(":")) return { kind: "bad", reason: "a host name without scheme or port, an IP address or a CIDR" };
  const name = domainToASCII(normalizeHost(text));
  return HOST_NAME.test(name) ? { kind: "name", name } : { kind: "bad", reason: "not a valid host name" };
}

/**
 * One message per entry that is neither a host name, an IP address nor a CIDR range (e.g. a URL or a host with
 * a port, which would never match); empty when all are fine. For the config loader, to fail at startup.
 */
export function allowListProblems(entries: readonly string[]): string[] {
  return entries.flatMap((entry) => {
    const parsed = parseEntry(entry);
    return parsed.kind === "bad" ? [`'${entry}': ${parsed.reason}`] : [];
  });
}

export class AllowList {
  private constructor(
    private readonly names: ReadonlySet<string>,
    private readonly ranges: readonly IpRange[],
  ) {}

  /** Throws (a server configuration error, not a client one) when an entry is invalid. */
  static parse(entries: readonly string[]): AllowList {
    const problems = allowListProblems(entries);
    if (problems.length > 0) throw new Error(`invalid url_sources.allow_hosts entries: ${problems.join("; ")}`);
    const names = new Set<string>();
    const ranges: IpRange[] = [];
    for (const parsed of entries.map(parseEntry)) {
      if (parsed.kind === "name") names.add(parsed.name);
      else if (parsed.kind === "range") ranges.push(parsed.range);
    }
    return new AllowList(names, ranges);
  }

  /** True when the URL's host (a name or an IP literal) is listed. */
  allowsHost(host: string): boolean {
    const normalized = normalizeHost(host);
    const address = parseIp(normalized);
    return address ? this.allowsAddress(address) : this.names.has(normalized);
  }

  allowsAddress(address: IpAddress): boolean {
    const plain = unmapIpv4(address);
    return this.ranges.some((range) => inRange(plain, range));
  }
}
