/**
 * Which addresses a URL download may reach. Anything that is not the public internet is refused: a URL from a
 * client must not make this server talk to itself, its network, or the cloud metadata service (SSRF). IPv6
 * forms that carry an IPv4 address (mapped, NAT64, 6to4) are judged by the IPv4 address they reach.
 */
import { inRange, parseCidr, type IpAddress, type IpRange } from "./ip-address.js";

interface NamedRange {
  range: IpRange;
  /** What kind of address it is, as said in the refusal ("not a public address (<label>)"). */
  label: string;
}

function builtIn(cidr: string): IpRange {
  const range = parseCidr(cidr);
  if (!range) throw new Error(`bad built-in range ${cidr}`);
  return range;
}

function ranges(entries: ReadonlyArray<readonly [string, string]>): NamedRange[] {
  return entries.map(([cidr, label]) => ({ range: builtIn(cidr), label }));
}

/** First match wins, so the narrower range comes first (255.255.255.255 is broadcast, not just reserved). */
const IPV4_RANGES = ranges([
  ["0.0.0.0/32", "unspecified"],
  // Linux connects 0.x.x.x to the local host.
  ["0.0.0.0/8", "unspecified ('this network')"],
  ["10.0.0.0/8", "private"],
  ["100.64.0.0/10", "carrier-grade NAT"],
  ["127.0.0.0/8", "loopback"],
  // Includes 169.254.169.254, the metadata service of AWS, GCP, Azure and others.
  ["169.254.0.0/16", "link-local (cloud metadata)"],
  ["172.16.0.0/12", "private"],
  // IETF protocol assignments; includes 192.0.0.192, Oracle Cloud's metadata service.
  ["192.0.0.0/24", "reserved"],
  ["192.0.2.0/24", "documentation"],
  ["192.88.99.0/24", "reserved (6to4 relay)"],
  ["192.168.0.0/16", "private"],
  ["198.18.0.0/15", "benchmarking"],
  ["198.51.100.0/24", "documentation"],
  ["203.0.113.0/24", "documentation"],
  ["224.0.0.0/4", "multicast"],
  ["255.255.255.255/32", "broadcast"],
  ["240.0.0.0/4", "reserved"],
]);

const IPV6_RANGES = ranges([
  ["::/128", "unspecified"],
  ["::1/128", "loopback"],
  // Deprecated IPv4-compatible form (::a.b.c.d); never a legitimate destination.
  ["::/96", "reserved (IPv4-compatible)"],
  ["64:ff9b:1::/48", "private (local NAT64)"],
  ["100::/64", "reserved (discard-only)"],
  // Teredo hides its IPv4 endpoint, so it cannot be checked.
  ["2001::/32", "reserved (Teredo)"],
  ["2001:db8::/32", "documentation"],
  ["3fff::/20", "documentation"],
  ["fc00::/7", "private (unique local)"],
  ["fe80::/10", "link-local"],
  ["fec0::/10", "private (site-local)"],
  ["ff00::/8", "multicast"],
]);

/** IPv6 prefixes whose traffic reaches an embedded IPv4 address, and where that address sits. */
const IPV4_CARRIERS: ReadonlyArray<{ range: IpRange; form: string; extract: (value: bigint) => bigint }> = [
  { range: builtIn("::ffff:0:0/96"), form: "IPv4-mapped", extract: (value) => value & 0xffffffffn },
  { range: builtIn("64:ff9b::/96"), form: "NAT64", extract: (value) => value & 0xffffffffn },
  { range: builtIn("2002::/16"), form: "6to4", extract: (value) => (value >> 80n) & 0xffffffffn },
];

/** Host names refused whatever they resolve to (the resolver may be the cloud's own, or /etc/hosts). */
const BLOCKED_HOST_NAMES: ReadonlyMap<string, string> = new Map([
  ["localhost", "the local host"],
  ["metadata", "a cloud metadata service"],
  ["metadata.google.internal", "a cloud metadata service"],
  ["metadata.goog", "a cloud metadata service"],
  ["instance-data", "a cloud metadata service"],
  ["instance-data.ec2.internal", "a cloud metadata service"],
]);

/**
 * Why an address must not be reached ("loopback", "private, IPv4-mapped", …), or undefined for a
 * public address.
 */
export function blockedAddressKind(address: IpAddress): string | undefined {
  if (address.family === 4) return IPV4_RANGES.find(({ range }) => inRange(address, range))?.label;
  for (const carrier of IPV4_CARRIERS) {
    if (!inRange(address, carrier.range)) continue;
    const embedded = carrier.extract(address.value);
    const kind = blockedAddressKind({ family: 4, value: embedded });
    // The embedded address is not named: for a host name, it would disclose what the name resolves to.
    return kind && `${kind}, ${carrier.form}`;
  }
  return IPV6_RANGES.find(({ range }) => inRange(address, range))?.label;
}

/** What a refused host name is ("a cloud metadata service"), or undefined. Expects a normalized name. */
export function blockedHostKind(host: string): string | undefined {
  if (host.endsWith(".localhost")) return "the local host";
  return BLOCKED_HOST_NAMES.get(host);
}

/** Lower case, without the trailing dot of a fully qualified name, without IPv6 brackets. */
export function normalizeHost(host: string): string {
  const unbracketed = host.startsWith("[") && host.endsWith("]") ? host.slice(1, -1) : host;
  return unbracketed.toLowerCase().replace(/\.+$/, "");
}
