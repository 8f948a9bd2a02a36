import { expect } from "chai";
import { AllowList, allowListProblems } from "../../../src/net/allow-list.js";
import { parseIp, type IpAddress } from "../../../src/net/ip-address.js";

function ip(text: string): IpAddress {
  const parsed = parseIp(text);
  if (!parsed) throw new Error(`test address ${text} did not parse`);
  return parsed;
}

describe("net/allow-list", () => {
  it("matches host names exactly, ignoring case and a trailing dot, never their subdomains", () => {
    const list = AllowList.parse(["Files.LAN", "nas.local."]);
    expect(list.allowsHost("files.lan")).to.equal(true);
    expect(list.allowsHost("FILES.lan.")).to.equal(true);
    expect(list.allowsHost("nas.local")).to.equal(true);
    expect(list.allowsHost("x.files.lan")).to.equal(false);
    expect(list.allowsHost("files.lan.evil.com")).to.equal(false);
    expect(list.allowsAddress(ip("127.0.0.1"))).to.equal(false);
  });

  it("matches single IPv4 and IPv6 addresses, as hosts (literals) and as resolved addresses", () => {
    const list = AllowList.parse(["127.0.0.1", "::1"]);
    expect(list.allowsHost("127.0.0.1")).to.equal(true);
    expect(list.allowsHost("[::1]")).to.equal(true);
    expect(list.allowsAddress(ip("127.0.0.1"))).to.equal(true);
    expect(list.allowsAddress(ip("127.0.0.2"))).to.equal(false);
    expect(list.allowsAddress(ip("0:0:0:0:0:0:0:1"))).to.equal(true);
    expect(list.allowsAddress(ip("::2"))).to.equal(false);
  });

  it("matches CIDR ranges of both families", () => {
    const list = AllowList.parse(["10.0.0.0/8", "192.168.1.0/24", "fd00::/8"]);
    expect(list.allowsAddress(ip("10.200.3.4"))).to.equal(true);
    expect(list.allowsAddress(ip("11.0.0.1"))).to.equal(false);
    expect(list.allowsAddress(ip("192.168.1.77"))).to.equal(true);
    expect(list.allowsAddress(ip("192.168.2.1"))).to.equal(false);
    expect(list.allowsAddress(ip("fd12:3456::1"))).to.equal(true);
    expect(list.allowsAddress(ip("fc00::1"))).to.equal(false);
  });

  it("lets an IPv4 entry cover the IPv4-mapped IPv6 form of its addresses, and the other way round", () => {
    expect(AllowList.parse(["127.0.0.0/8"]).allowsAddress(ip("::ffff:127.0.0.5"))).to.equal(true);
    expect(AllowList.parse(["10.0.0.1"]).allowsHost("[::ffff:a00:1]")).to.equal(true);
    expect(AllowList.parse(["::ffff:10.0.0.0/104"]).allowsAddress(ip("10.9.9.9"))).to.equal(true);
    expect(AllowList.parse(["::ffff:10.0.0.1"]).allowsAddress(ip("10.0.0.1"))).to.equal(true);
  });

  it("reports entries that would never match, and refuses to build from them", () => {
    const problems = allowListProblems([
      "ok.example",
      "10.0.0.0/33",
      "http://files.lan",
      "files.lan:8080",
      "*.lan",
      "a b",
    ]);
    expect(problems).to.have.length(5);
    expect(problems[0]).to.include("'10.0.0.0/33'").and.include("CIDR");
    expect(problems[3]).to.include("wildcards");
    expect(allowListProblems(["files.lan", "10.0.0.0/8", "::1", "fe80::/10", "bücher.example"])).to.deep.equal([]);
    expect(() => AllowList.parse(["10.0.0.0/33"])).to.throw(/url_sources\.allow_hosts/);
  });

  it("matches internationalized names by their ASCII form, as URLs carry them", () => {
    expect(AllowList.parse(["bücher.example"]).allowsHost(new URL("http://bücher.example/").hostname)).to.equal(true);
  });
});
