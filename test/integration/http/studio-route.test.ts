/**
 * The studio's files at /ui: only the files the build wrote, the hashed ones cached for good and the page
 * revalidated, all under the studio's Content-Security-Policy; a server whose studio was never built says so.
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "chai";
import Koa from "koa";
import { createRootLogger } from "../../../src/logging.js";
import { errorHandler } from "../../../src/http/middleware/error-handler.js";
import { securityHeaders } from "../../../src/http/middleware/security-headers.js";
import { studioRoutes } from "../../../src/http/routes/studio.js";
import { serve, type TestServer } from "../../helpers/test-server.js";

async function serveStudio(root: string): Promise<TestServer> {
  const app = new Koa();
  app.silent = true;
  app.use(securityHeaders());
  app.use(errorHandler(createRootLogger("silent")));
  app.use(studioRoutes(root).routes());
  return serve(app);
}

describe("studio files at /ui", () => {
  let root: string;
  let server: TestServer;
  const get = (path: string) => fetch(`${server.baseUrl}${path}`, { redirect: "manual" });

  before(async () => {
    root = await mkdtemp(join(tmpdir(), "studio-"));
    await writeFile(join(root, "index.html"), "<!doctype html><title>studio</title>");
    await writeFile(join(root, "studio-ABCD1234.js"), "console.log('studio');");
    server = await serveStudio(root);
  });
  after(async () => {
    await server?.close();
    await rm(root, { recursive: true, force: true });
  });

  it("redirects /ui to /ui/, where the page names its files relatively", async () => {
    const response = await get("/ui");
    expect(response.status).to.equal(301);
    expect(response.headers.get("location")).to.equal("/ui/");
  });

  it("serves the page revalidated every time, under a policy that runs only the studio's own files", async () => {
    const response = await get("/ui/");
    expect(response.status).to.equal(200);
    expect(response.headers.get("content-type")).to.match(/^text\/html/);
    expect(response.headers.get("cache-control")).to.equal("no-cache");
    const policy = response.headers.get("content-security-policy") ?? "";
    expect(policy).to.include("script-src 'self'").and.include("default-src 'none'");
    expect(policy).to.not.include("unsafe-inline");
    expect(await response.text()).to.include("<title>studio</title>");
  });

  it("caches the hashed bundle for good", async () => {
    const response = await get("/ui/studio-ABCD1234.js");
    expect(response.status).to.equal(200);
    expect(response.headers.get("content-type")).to.match(/^text\/javascript/);
    expect(response.headers.get("cache-control")).to.equal("public, max-age=31536000, immutable");
  });

  it("answers 404 for anything the build did not write, traversal included", async () => {
    for (const path of ["/ui/missing.js", "/ui/..%2f..%2fpackage.json", "/ui/%2e%2e/index.html"]) {
      const response = await get(path);
      expect(response.status, path).to.equal(404);
      expect((await response.json()).error_code, path).to.equal("RESOURCE_NOT_FOUND");
    }
  });

  it("says the studio is not built when its folder is missing", async () => {
    const unbuilt = await serveStudio(join(root, "nowhere"));
    try {
      const response = await fetch(`${unbuilt.baseUrl}/ui/`);
      expect(response.status).to.equal(500);
      expect((await response.json()).error).to.include("npm run build");
    } finally {
      await unbuilt.close();
    }
  });
});
