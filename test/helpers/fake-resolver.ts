/** A stand-in for DNS in tests of the URL-source and webhook address checks. */
import type { HostResolver, ResolvedAddress } from "../../src/net/checked-addresses.js";

/** A resolver with a fixed table (a function may answer differently per call) that records its calls. */
export function fakeResolver(
  table: Record<string, ResolvedAddress[] | ((call: number) => ResolvedAddress[])>,
): HostResolver & { calls: string[] } {
  const calls: string[] = [];
  const resolve = async (hostname: string): Promise<ResolvedAddress[]> => {
    calls.push(hostname);
    const entry = table[hostname];
    if (typeof entry === "function") return entry(calls.filter((name) => name === hostname).length);
    if (entry) return entry;
    throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: "ENOTFOUND" });
  };
  return Object.assign(resolve, { calls });
}
