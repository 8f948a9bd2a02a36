import { expect } from "chai";
import { blockedAddressKind, blockedHostKind, normalizeHost } from "../../../src/net/address-policy.js";
import { parseIp } from "../../../src/net/ip-address.js";

function kindOf(text: string): string | undefined {
  const address = parseIp(text);
  if (!address) throw new Error(`test address ${text} did not parse`);
  return blockedAddressKind(address);
}

describe("net/address-policy", () => {
  it("refuses every non-public IPv4 range, naming it, at both ends of the range", () => {
    const cases: Array<[string, string]> = [
      ["127.0.0.1", "loopback"],
      ["127.255.255.254", "loopback"],
      ["0.0.0.0", "unspecified"],
      ["0.1.2.3", "unspecified ('this network')"],
      ["10.0.0.0", "private"],
      ["10.255.255.255", "private"],
      ["172.16.0.1", "private"],
      ["172.31.255.255", "private"],
      ["192.168.0.1", "private"],
      ["192.168.255.255", "private"],
      ["169.254.0.1", "link-local (cloud metadata)"],
      ["169.254.169.254", "link-local (cloud metadata)"],
      ["100.64.0.0", "carrier-grade NAT"],
      ["100.127.255.255", "carrier-grade NAT"],
      ["100.100.100.200", "carrier-grade NAT"],
      ["224.0.0.1", "multicast"],
      ["239.255.255.255", "multicast"],
      ["255.255.255.255", "broadcast"],
      ["240.0.0.1", "reserved"],
      ["192.0.0.192", "reserved"],
      ["192.0.2.1", "documentation"],
      ["198.18.0.1", "benchmarking"],
    ];
    for (const [address, kind] of cases) expect(kindOf(address), address).to.equal(kind);
  });

  it("lets public IPv4 addresses through, including the neighbours of the refused ranges", () => {
    for (const address of ["8.8.8.8", "1.1.1.1", "9.255.255.255", "11.0.0.0", "172.15.255.255", "172.32.0.0"]) {
      expect(kindOf(address), address).to.equal(undefined);
    }
    for (const address of ["100.63.255.255", "100.128.0.0", "169.253.255.255", "169.255.0.0", "192.167.255.255"]) {
      expect(kindOf(address), address).to.equal(undefined);
    }
    expect(kindOf("223.255.255.255")).to.equal(undefined);
  });

  it("refuses every non-public IPv6 range", () => {
    const cases: Array<[string, string]> = [
      ["::1", "loopback"],
      ["0:0:0:0:0:0:0:1", "loopback"],
      ["::", "unspecified"],
      ["fc00::1", "private (unique local)"],
      ["fd00:ec2::254", "private (unique local)"],
      ["fe80::1", "link-local"],
      ["febf:ffff::1", "link-local"],
      ["fec0::1", "private (site-local)"],
      ["ff02::1", "multicast"],
      ["2001:db8::1", "documentation"],
      ["::7f00:1", "reserved (IPv4-compatible)"],
      ["2001::1", "reserved (Teredo)"],
    ];
    for (const [address, kind] of cases) expect(kindOf(address), address).to.equal(kind);
  });

  it("judges IPv6 forms that reach an IPv4 address (mapped, NAT64, 6to4) by that address", () => {
    expect(kindOf("::ffff:127.0.0.1")).to.equal("loopback, IPv4-mapped");
    expect(kindOf("::ffff:7f00:1")).to.equal("loopback, IPv4-mapped");
    expect(kindOf("::ffff:169.254.169.254")).to.equal("link-local (cloud metadata), IPv4-mapped");
    expect(kindOf("::ffff:10.0.0.1")).to.equal("private, IPv4-mapped");
    expect(kindOf("::ffff:0.0.0.0")).to.equal("unspecified, IPv4-mapped");
    expect(kindOf("64:ff9b::a9fe:a9fe")).to.equal("link-local (cloud metadata), NAT64");
    expect(kindOf("2002:c0a8:0101::1")).to.equal("private, 6to4");
    expect(kindOf("::ffff:8.8.8.8")).to.equal(undefined);
    expect(kindOf("64:ff9b::808:808")).to.equal(undefined);
  });

  it("lets public IPv6 addresses through", () => {
    for (const address of ["2606:4700:4700::1111", "2001:4860:4860::8888", "2a00:1450:4001:80b::200e"]) {
      expect(kindOf(address), address).to.equal(undefined);
    }
  });

  it("refuses local and cloud metadata host names, whatever they resolve to", () => {
    expect(blockedHostKind("metadata.google.internal")).to.equal("a cloud metadata service");
    expect(blockedHostKind("metadata")).to.equal("a cloud metadata service");
    expect(blockedHostKind("localhost")).to.equal("the local host");
    expect(blockedHostKind("voices.localhost")).to.equal("the local host");
    expect(blockedHostKind("example.com")).to.equal(undefined);
    expect(blockedHostKind("metadata.google.internal.example.com")).to.equal(undefined);
  });

  it("normalizes host names before they are compared", () => {
    expect(normalizeHost("Metadata.Google.Internal.")).to.equal("metadata.google.internal");
    expect(normalizeHost("[::1]")).to.equal("::1");
  });
});
