import type { LookupAddress } from "node:dns";
import { expect } from "chai";
import { ValidationError } from "../../../src/domain/errors.js";
import { AllowList } from "../../../src/net/allow-list.js";
import {
  checkedAddresses,
  pinnedLookup,
  type CheckContext,
  type HostResolver,
  type ResolvedAddress,
} from "../../../src/net/checked-addresses.js";
import { UpstreamError } from "../../../src/domain/errors.js";
import { fakeResolver } from "../../helpers/fake-resolver.js";
import { rejection } from "../../helpers/rejection.js";

function context(resolve: HostResolver, allowHosts: string[] = []): CheckContext {
  return { allow: AllowList.parse(allowHosts), resolve, signal: new AbortController().signal, field: "ref" };
}

const PUBLIC: ResolvedAddress = { address: "93.184.215.14", family: 4 };
const LOOPBACK: ResolvedAddress = { address: "127.0.0.1", family: 4 };
const table = {
  "public.example": [PUBLIC],
  "mixed.example": [PUBLIC, { address: "::ffff:10.0.0.1", family: 6 } as ResolvedAddress],
  "loop.example": [LOOPBACK],
};

describe("net/checked-addresses", () => {
  it("returns every address of a public host", async () => {
    const resolve = fakeResolver(table);
    expect(await checkedAddresses(new URL("http://public.example/a.wav"), context(resolve))).to.deep.equal([PUBLIC]);
    expect(resolve.calls).to.deep.equal(["public.example"]);
  });

  it("refuses a host when ANY of its addresses is not public, without disclosing the address", async () => {
    const error = await rejection<Error>(
      checkedAddresses(new URL("http://mixed.example/"), context(fakeResolver(table))),
    );
    expect(error).to.be.instanceOf(ValidationError);
    expect(error.message).to.match(/^ref: 'mixed\.example' resolves to an address that is not public \(private/);
    expect(error.message).not.to.include("10.0.0.1");
    expect((error as ValidationError).detail).to.deep.equal([
      { loc: ["body", "ref"], msg: error.message.slice("ref: ".length), type: "url_host_not_allowed" },
    ]);
  });

  it("checks IP literals without asking the resolver", async () => {
    const resolve = fakeResolver(table);
    for (const url of ["http://127.0.0.1/", "http://[::1]/", "http://169.254.169.254/latest", "http://10.0.0.1/"]) {
      const error = await rejection<Error>(checkedAddresses(new URL(url), context(resolve)));
      expect(error, url).to.be.instanceOf(ValidationError);
      expect(error.message, url).to.include("is not a public address");
    }
    // The URL parser's other spellings of 127.0.0.1 end up as the same literal.
    for (const url of ["http://2130706433/", "http://0x7f.1/", "http://127.0.0.1./", "http://[::ffff:127.0.0.1]/"]) {
      expect(await rejection<Error>(checkedAddresses(new URL(url), context(resolve))), url).to.be.instanceOf(
        ValidationError,
      );
    }
    expect(resolve.calls).to.deep.equal([]);
    const allowed = await checkedAddresses(new URL("http://[::1]:8080/"), context(resolve, ["::1"]));
    expect(allowed).to.deep.equal([{ address: "::1", family: 6 }]);
  });

  it("refuses metadata host names before resolving them", async () => {
    const resolve = fakeResolver({ "metadata.google.internal": [PUBLIC] });
    const error = await rejection<Error>(
      checkedAddresses(new URL("http://METADATA.google.internal./x"), context(resolve)),
    );
    expect(error.message).to.include("cloud metadata service");
    expect(resolve.calls).to.deep.equal([]);
  });

  it("allows a refused host by name, by address or by range", async () => {
    const url = new URL("http://loop.example/");
    expect(await checkedAddresses(url, context(fakeResolver(table), ["loop.example"]))).to.deep.equal([LOOPBACK]);
    expect(await checkedAddresses(url, context(fakeResolver(table), ["127.0.0.0/8"]))).to.deep.equal([LOOPBACK]);
    const mixed = await checkedAddresses(new URL("http://mixed.example/"), context(fakeResolver(table), ["10.0.0.1"]));
    expect(mixed).to.have.length(2);
  });

  it("tells a host that does not exist (422) from a resolver that failed (502)", async () => {
    const missing = await rejection<Error>(
      checkedAddresses(new URL("http://nowhere.example/"), context(fakeResolver(table))),
    );
    expect((missing as ValidationError).detail).to.have.nested.property("[0].type", "url_host_not_found");
    const broken: HostResolver = async () => {
      throw Object.assign(new Error("getaddrinfo EAI_AGAIN"), { code: "EAI_AGAIN" });
    };
    const failed = await rejection<Error>(checkedAddresses(new URL("http://x.example/"), context(broken)));
    expect(failed).to.be.instanceOf(UpstreamError);
    expect((failed as UpstreamError).code).to.equal("URL_SOURCE_UNREACHABLE");
  });

  it("stops waiting for the resolver when the download is aborted", async () => {
    const controller = new AbortController();
    const hanging: HostResolver = () => new Promise(() => undefined);
    const pending = checkedAddresses(new URL("http://slow.example/"), {
      ...context(hanging),
      signal: controller.signal,
    });
    controller.abort(new Error("stop"));
    expect((await rejection<Error>(pending)).message).to.equal("stop");
  });

  describe("pinnedLookup", () => {
    const addresses: ResolvedAddress[] = [
      { address: "2606:4700::1", family: 6 },
      { address: "93.184.215.14", family: 4 },
    ];

    function ask(options: { all?: boolean; family?: number }): Promise<[string | LookupAddress[], number?]> {
      return new Promise((resolve, reject) => {
        pinnedLookup(addresses)("any.example", options, (error, address, family) =>
          error ? reject(error) : resolve([address, family]),
        );
      });
    }

    it("answers with the checked addresses only: all of them, the first, or the first of a family", async () => {
      expect(await ask({ all: true })).to.deep.equal([addresses, undefined]);
      expect(await ask({})).to.deep.equal(["2606:4700::1", 6]);
      expect(await ask({ family: 4 })).to.deep.equal(["93.184.215.14", 4]);
      expect(await ask({ family: 4, all: true })).to.deep.equal([[addresses[1]], undefined]);
    });
  });
});
