import { request } from "node:http";
import { expect } from "chai";
import { FakeInferenceBackend } from "../../helpers/fake-inference-backend.js";
import { startTestApp, type TestApp } from "../../helpers/test-app.js";

/** Status of a GET whose path is sent exactly as written (fetch would normalise `..`). */
function rawStatus(baseUrl: string, path: string): Promise<number> {
  const { hostname, port } = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    request({ host: hostname, port, path }, (response) => {
      response.resume();
      resolve(response.statusCode ?? 0);
    })
      .on("error", reject)
      .end();
  });
}

describe("GET /openapi.json and /docs (fake engine)", () => {
  let app: TestApp;
  before(async () => {
    app = await startTestApp({ backend: new FakeInferenceBackend(), yaml: "auth:\n  enabled: true\n" });
  });
  after(() => app.dispose());

  const get = (path: string) => fetch(`${app.baseUrl}${path}`);

  it("serves the OpenAPI document without a key, with the config's limits", async () => {
    const response = await get("/openapi.json");
    expect(response.status).to.equal(200);
    expect(response.headers.get("content-type")).to.match(/^application\/json/);
    const doc = (await response.json()) as { openapi: string; paths: object; components: { schemas: any } };
    expect(doc.openapi).to.equal("3.1.0");
    expect(doc.paths).to.have.property("/api/v1/tts");
    expect(doc.components.schemas.TtsRequest.properties.text.maxLength).to.equal(app.config.api.maxTextLength);
  });

  it("serves the reference page with its own strict Content-Security-Policy", async () => {
    const response = await get("/docs");
    expect(response.status).to.equal(200);
    expect(response.headers.get("content-type")).to.match(/^text\/html/);
    const policy = response.headers.get("content-security-policy") ?? "";
    expect(policy).to.contain("script-src 'self'").and.contain("frame-ancestors 'none'");
    expect(policy).to.not.contain("unsafe-inline");
    const html = await response.text();
    expect(html).to.contain('src="docs/swagger-ui-bundle.js"').and.contain('src="docs/init.js"');
    expect(html).to.not.match(/<script>[^<]/);
  });

  it("serves Swagger UI's files from node_modules, cached, and the initializer", async () => {
    for (const [name, type] of [
      ["swagger-ui-bundle.js", /javascript/],
      ["swagger-ui.css", /text\/css/],
      ["init.js", /javascript/],
    ] as const) {
      const response = await get(`/docs/${name}`);
      expect(response.status, name).to.equal(200);
      expect(response.headers.get("content-type"), name).to.match(type);
      expect(response.headers.get("cache-control"), name).to.equal("public, max-age=86400");
      expect((await response.text()).length, name).to.be.greaterThan(50);
    }
  });

  it("serves nothing else, and nothing outside Swagger UI's folder", async () => {
    expect(await rawStatus(app.baseUrl, "/docs/..%2f..%2fpackage.json")).to.equal(404);
    expect(await rawStatus(app.baseUrl, "/docs/../package.json")).to.equal(404);
    expect(await rawStatus(app.baseUrl, "/docs/index.html")).to.equal(404);
    expect(await rawStatus(app.baseUrl, "/docs/swagger-ui-bundle.js.map")).to.equal(404);
  });
});
