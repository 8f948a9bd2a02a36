import { expect } from "chai";
import { inRange, parseCidr, parseIp, unmapIpv4, unmapIpv4Range, type IpAddress } from "../../../src/net/ip-address.js";

function ip(text: string): IpAddress {
  const parsed = parseIp(text);
  if (!parsed) throw new Error(`test address ${text} did not parse`);
  return parsed;
}

describe("net/ip-address", () => {
  it("parses IPv4 and every spelling of an IPv6 address to the same number", () => {
    expect(ip("127.0.0.1")).to.deep.equal({ family: 4, value: 0x7f000001n });
    expect(ip("255.255.255.255").value).to.equal(0xffffffffn);
    const one = ip("::1");
    expect(one).to.deep.equal({ family: 6, value: 1n });
    expect(ip("0:0:0:0:0:0:0:1")).to.deep.equal(one);
    expect(ip("[::1]")).to.deep.equal(one);
    expect(ip("::ffff:127.0.0.1")).to.deep.equal(ip("::ffff:7f00:1"));
    expect(ip("fe80::1%eth0")).to.deep.equal(ip("fe80::1"));
    expect(ip("2001:db8::8a2e:370:7334").value).to.equal(0x20010db80000000000008a2e03707334n);
    expect(ip("1::").value).to.equal(1n << 112n);
    expect(ip("::").value).to.equal(0n);
  });

  it("refuses what is not an address", () => {
    for (const text of ["", "example.com", "256.0.0.1", "1.2.3", "::g", "1:2:3:4:5:6:7:8:9", "127.0.0.1/8"]) {
      expect(parseIp(text), text).to.equal(undefined);
    }
  });

  it("parses CIDR ranges, clearing host bits, and refuses bad prefixes", () => {
    expect(parseCidr("10.1.2.3/8")).to.deep.equal({ family: 4, base: 0x0a000000n, prefix: 8 });
    expect(parseCidr("fe80::1/10")).to.deep.equal({ family: 6, base: 0xfe80n << 112n, prefix: 10 });
    expect(parseCidr("0.0.0.0/0")).to.deep.equal({ family: 4, base: 0n, prefix: 0 });
    for (const text of [
      "10.0.0.0/33",
      "::/129",
      "10.0.0.0/",
      "10.0.0.0/-1",
      "10.0.0.0/8/8",
      "x/8",
      "10.0.0.0",
      "10.0.0.0/1a",
    ]) {
      expect(parseCidr(text), text).to.equal(undefined);
    }
  });

  it("tests membership at the range edges and never across families", () => {
    const range = parseCidr("172.16.0.0/12")!;
    expect(inRange(ip("172.16.0.0"), range)).to.equal(true);
    expect(inRange(ip("172.31.255.255"), range)).to.equal(true);
    expect(inRange(ip("172.15.255.255"), range)).to.equal(false);
    expect(inRange(ip("172.32.0.0"), range)).to.equal(false);
    expect(inRange(ip("::ffff:172.16.0.1"), range)).to.equal(false);
    expect(inRange(ip("8.8.8.8"), parseCidr("0.0.0.0/0")!)).to.equal(true);
    expect(inRange(ip("::1"), parseCidr("0.0.0.0/0")!)).to.equal(false);
    const v6 = parseCidr("fc00::/7")!;
    expect(inRange(ip("fdff:ffff::1"), v6)).to.equal(true);
    expect(inRange(ip("fe00::"), v6)).to.equal(false);
  });

  it("turns IPv4-mapped IPv6 addresses and ranges into IPv4", () => {
    expect(unmapIpv4(ip("::ffff:10.0.0.1"))).to.deep.equal(ip("10.0.0.1"));
    expect(unmapIpv4(ip("::10.0.0.1"))).to.deep.equal(ip("::10.0.0.1"));
    expect(unmapIpv4Range(parseCidr("::ffff:10.0.0.0/104")!)).to.deep.equal(parseCidr("10.0.0.0/8"));
    expect(unmapIpv4Range(parseCidr("::/64")!)).to.deep.equal(parseCidr("::/64"));
  });
});
