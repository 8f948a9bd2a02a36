import Router from "@koa/router";
import { expect } from "chai";
import { ROUTE_ACCESS, routeAccessLookup } from "../../../../src/http/auth/route-access.js";

/** Routers registering every route of the table, so that only the change under test differs. */
function routersFor(routes: string[]): Router[] {
  const router = new Router();
  for (const route of routes) {
    const [method, path] = route.split(" ") as [string, string];
    router.register(path, [method], () => undefined);
  }
  return [router];
}

describe("http/auth/route-access", () => {
  const all = Object.keys(ROUTE_ACCESS);

  it("finds what a request needs by the route that serves it, HEAD as GET", () => {
    const accessOf = routeAccessLookup(routersFor(all));
    expect(accessOf("POST", "/api/v1/tts")).to.equal("tts");
    expect(accessOf("HEAD", "/outputs/book/ch1.wav")).to.equal("files:read");
    expect(accessOf("GET", "/api/v1/voices/folders")).to.equal("voices:read");
    expect(accessOf("DELETE", "/api/v1/keys/abc")).to.equal("admin");
    expect(accessOf("GET", "/nowhere")).to.equal(undefined);
    expect(accessOf("PATCH", "/api/v1/tts")).to.equal(undefined);
  });

  it("refuses routers with a route the table does not list, or a table entry no router serves", () => {
    expect(() => routeAccessLookup(routersFor([...all, "POST /api/v1/new-thing"]))).to.throw(
      "no entry for [POST /api/v1/new-thing]",
    );
    expect(() => routeAccessLookup(routersFor(all.filter((route) => route !== "POST /api/v1/vc")))).to.throw(
      "no route for [POST /api/v1/vc]",
    );
  });
});
