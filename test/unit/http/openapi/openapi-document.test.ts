import type Router from "@koa/router";
import { Validator } from "@seriousme/openapi-schema-validator";
import { expect } from "chai";
import { ttsFieldSchemas } from "../../../../src/domain/tts-fields.js";
import { registeredRoutes } from "../../../../src/http/auth/route-access.js";
import { buildOpenApiDocument } from "../../../../src/http/openapi/openapi-document.js";
import { openApiPath } from "../../../../src/http/openapi/operation.js";
import { createConcatRequestParser } from "../../../../src/http/schemas/concat-request.js";
import { parseJobSubmission } from "../../../../src/http/schemas/job-request.js";
import { createSpeechBodyParser } from "../../../../src/http/schemas/openai-speech.js";
import { createTtsRequestParser } from "../../../../src/http/schemas/tts-request.js";
import { createVcRequestParser } from "../../../../src/http/schemas/vc-request.js";
import { FakeInferenceBackend } from "../../../helpers/fake-inference-backend.js";
import { appOver, readySource, startTestApp, type TestApp } from "../../../helpers/test-app.js";

type Json = Record<string, any>;

/** Non-contract values, so a default or limit that came from the code instead of the config would show. */
const YAML = "tts_defaults:\n  exaggeration: 0.7\n  export_formats: [mp3]\napi:\n  max_text_length: 1234\n";

describe("http/openapi/openapi-document", () => {
  let app: TestApp;
  let doc: Json;
  before(async () => {
    app = await startTestApp({ backend: new FakeInferenceBackend(), yaml: YAML });
    doc = buildOpenApiDocument({ config: app.config, version: "test" });
  });
  after(() => app?.dispose());

  /** The example of an operation's JSON body. */
  const example = (method: string, path: string): unknown =>
    doc.paths[path][method].requestBody.content["application/json"].example;

  it("is a valid OpenAPI 3.1 document", async () => {
    const validator = new Validator();
    const result = await validator.validate(doc);
    expect(result.errors ?? [], JSON.stringify(result.errors, null, 1)).to.deep.equal([]);
    expect(result.valid).to.equal(true);
    expect(validator.version).to.equal("3.1");
  });

  it("has an operation for every route the app's routers register, and none for a route they do not", async () => {
    const koa = appOver(app.config, app.services, await readySource(new FakeInferenceBackend()));
    const routers = koa.middleware.flatMap((middleware) => (middleware as { router?: Router }).router ?? []);
    const routes = [...new Set(registeredRoutes(routers))];
    expect(routes.length).to.be.greaterThan(60);
    const missing = routes.filter((route) => {
      const [method, path] = route.split(" ") as [string, string];
      return doc.paths[openApiPath(path)]?.[method.toLowerCase()] === undefined;
    });
    expect(missing, "routes without an operation").to.deep.equal([]);
    const documented = Object.entries(doc.paths).flatMap(([path, operations]) =>
      Object.keys(operations as Json).map((method) => `${method.toUpperCase()} ${path}`),
    );
    const served = new Set(routes.map((route) => openApiPath(route)));
    expect(
      documented.filter((route) => !served.has(route)),
      "operations without a route",
    ).to.deep.equal([]);
  });

  it("gives every operation an id, a tag, a security decision and its error bodies", () => {
    const ids = new Set<string>();
    for (const [path, operations] of Object.entries(doc.paths)) {
      for (const operation of Object.values(operations as Record<string, Json>)) {
        expect(ids.has(operation.operationId), operation.operationId).to.equal(false);
        ids.add(operation.operationId);
        expect(operation.tags).to.have.length(1);
        expect(operation.security).to.be.an("array");
        const errorRef = operation.responses["500"].$ref as string;
        expect(errorRef).to.match(path.startsWith("/v1/") ? /OpenAiError500$/ : /ApiError500$/);
      }
    }
    expect(doc.paths["/api/v1/tts"].post.description).to.contain("`tts` scope");
    expect(doc.paths["/api/v1/health"].get.security).to.deep.equal([]);
    expect(doc.paths["/api/v1/voices/{path}/audio"].get.parameters[0]).to.include({ name: "path", in: "path" });
    expect(doc.paths["/v1/audio/speech/ws"].get.responses).to.have.property("101");
  });

  it("describes every TTS field with its default from the config in force", () => {
    const schema = doc.components.schemas.TtsRequest as Json;
    for (const name of Object.keys(ttsFieldSchemas)) {
      const property = schema.properties[name] as Json;
      expect(property, name).to.not.equal(undefined);
      expect(property.default, name).to.deep.equal(app.config.ttsDefaults[name as keyof typeof ttsFieldSchemas]);
      expect(property.description, name).to.be.a("string").and.not.equal("");
    }
    expect(schema.properties.exaggeration).to.include({ default: 0.7, minimum: 0, maximum: 2 });
    expect(schema.properties.export_formats.default).to.deep.equal(["mp3"]);
    expect(schema.properties.text).to.include({ maxLength: 1234, minLength: 1 });
    expect(schema.required).to.deep.equal(["text"]);
    expect(schema.properties.text.description).to.be.a("string").and.not.equal("");
  });

  it("describes the VC fields with the config's defaults, and has the other named bodies", () => {
    const vc = doc.components.schemas.VcRequest as Json;
    for (const [name, value] of Object.entries(app.config.vcDefaults)) {
      expect(vc.properties[name].default, name).to.deep.equal(value);
      expect(vc.properties[name].description, name).to.be.a("string").and.not.equal("");
    }
    for (const name of [
      "ConcatRequest",
      "ConcatMixedRequest",
      "OpenAiSpeechRequest",
      "JobRequest",
      "VoiceUploadForm",
    ]) {
      expect(doc.components.schemas[name], name).to.have.property("properties");
    }
    expect(doc.components.schemas.VoiceUploadForm.properties.voice_file).to.include({ format: "binary" });
  });

  it("has request examples the real parsers accept", () => {
    const { config } = app;
    const tts = createTtsRequestParser({ defaults: config.ttsDefaults, maxTextLength: config.api.maxTextLength });
    const parsed = tts({ body: example("post", "/api/v1/tts"), query: {} });
    expect(parsed.request.unknownFields).to.deep.equal([]);
    expect(parsed.request.text).to.be.a("string").and.not.equal("");
    expect(
      createVcRequestParser(config.vcDefaults).json(example("post", "/api/v1/vc"), {}).request.unknownFields,
    ).to.deep.equal([]);
    const concat = createConcatRequestParser({ maxItems: config.concat.maxItems });
    expect(concat(example("post", "/api/v1/concat"), {}).request.unknownFields).to.deep.equal([]);
    expect(
      createSpeechBodyParser(config.openai.maxInputChars)(example("post", "/v1/audio/speech")).unknownFields,
    ).to.deep.equal([]);
    expect(parseJobSubmission(example("post", "/api/v1/jobs")).type).to.equal("tts");
  });

  it("gives every operation with a body at least one example", () => {
    for (const [path, operations] of Object.entries(doc.paths)) {
      for (const [method, operation] of Object.entries(operations as Record<string, Json>)) {
        if (!operation.requestBody) continue;
        const examples = Object.values(operation.requestBody.content as Record<string, Json>).filter(
          (media) => media.example !== undefined,
        );
        expect(examples.length, `${method} ${path}`).to.be.greaterThan(0);
      }
    }
  });
});
