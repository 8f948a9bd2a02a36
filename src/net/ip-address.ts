/**
 * IP addresses and CIDR ranges as numbers, so range tests are exact integer comparisons for IPv4 and IPv6
 * alike (no string prefix tricks, which break on `::` compression and on the many spellings of one address).
 */
import { isIPv4, isIPv6 } from "node:net";

export interface IpAddress {
  family: 4 | 6;
  /** The address as an unsigned 32-bit (IPv4) or 128-bit (IPv6) integer. */
  value: bigint;
}

export interface IpRange {
  family: 4 | 6;
  /** The first address of the range (host bits cleared). */
  base: bigint;
  prefix: number;
}

const BITS = { 4: 32, 6: 128 } as const;
/** `::ffff:0:0/96`: IPv4-mapped IPv6 addresses, which the kernel connects to as the IPv4 address they embed. */
const MAPPED_PREFIX = 0xffffn;

/** Parses an IPv4 or IPv6 address (brackets and an IPv6 zone such as `%eth0` allowed); undefined otherwise. */
export function parseIp(text: string): IpAddress | undefined {
  const unbracketed = text.startsWith("[") && text.endsWith("]") ? text.slice(1, -1) : text;
  const bare = unbracketed.split("%")[0] ?? "";
  if (isIPv4(bare)) return { family: 4, value: ipv4Value(bare) };
  if (isIPv6(bare)) return { family: 6, value: ipv6Value(bare) };
  return undefined;
}

/** Parses `address/prefix` (host bits may be set; they are cleared); undefined when it is not a valid range. */
export function parseCidr(text: string): IpRange | undefined {
  const slash = text.indexOf("/");
  if (slash < 0) return undefined;
  const address = parseIp(text.slice(0, slash));
  const prefixText = text.slice(slash + 1);
  if (!address || !/^\d{1,3}$/.test(prefixText)) return undefined;
  const prefix = Number(prefixText);
  if (prefix > BITS[address.family]) return undefined;
  return rangeOf(address, prefix);
}

/** The range of `prefix` leading bits around an address. */
export function rangeOf(address: IpAddress, prefix: number): IpRange {
  const hostBits = BigInt(BITS[address.family] - prefix);
  return { family: address.family, base: (address.value >> hostBits) << hostBits, prefix };
}

export function inRange(address: IpAddress, range: IpRange): boolean {
  if (address.family !== range.family) return false;
  const hostBits = BigInt(BITS[address.family] - range.prefix);
  return address.value >> hostBits === range.base >> hostBits;
}

/** The IPv4 address inside an IPv4-mapped IPv6 address (`::ffff:127.0.0.1`), else the address itself. */
export function unmapIpv4(address: IpAddress): IpAddress {
  if (address.family === 6 && address.value >> 32n === MAPPED_PREFIX) {
    return { family: 4, value: address.value & 0xffffffffn };
  }
  return address;
}

/** An IPv4-mapped IPv6 range of at least /96 as the IPv4 range it covers, else the range itself. */
export function unmapIpv4Range(range: IpRange): IpRange {
  if (range.family === 6 && range.prefix >= 96 && range.base >> 32n === MAPPED_PREFIX) {
    return { family: 4, base: range.base & 0xffffffffn, prefix: range.prefix - 96 };
  }
  return range;
}

function ipv4Value(text: string): bigint {
  return text.split(".").reduce((value, octet) => (value << 8n) | BigInt(Number(octet)), 0n);
}

/** Input already passed net.isIPv6, so only the shape (`::`, a dotted IPv4 tail) needs handling. */
function ipv6Value(text: string): bigint {
  const lastColon = text.lastIndexOf(":");
  const tail = text.slice(lastColon + 1);
  let hex = text;
  if (tail.includes(".")) {
    // `::ffff:1.2.3.4`: the dotted tail is the last two 16-bit groups.
    const v4 = ipv4Value(tail);
    hex = `${text.slice(0, lastColon + 1)}${(v4 >> 16n).toString(16)}:${(v4 & 0xffffn).toString(16)}`;
  }
  const [head = "", rest] = hex.split("::");
  const headGroups = head ? head.split(":") : [];
  const restGroups = rest ? rest.split(":") : [];
  const zeros = rest === undefined ? [] : Array<string>(8 - headGroups.length - restGroups.length).fill("0");
  return [...headGroups, ...zeros, ...restGroups].reduce(
    (value, group) => (value << 16n) | BigInt(parseInt(group, 16)),
    0n,
  );
}
