/**
 * API keys through HTTP (fake engine, `auth.enabled: true`): every route in the access table, which createApp
 * checks against the routers, is tried without a key, with a key lacking its scope and with one that has it;
 * revocation takes effect on the next request; the realtime WebSocket takes the key as a header or subprotocol.
 */
import { expect } from "chai";
import WebSocket from "ws";
import { ROUTE_ACCESS } from "../../../src/http/auth/route-access.js";
import { NO_LIMITS, type KeyLimits } from "../../../src/services/auth/api-key-store.js";
import { SCOPES, type Scope } from "../../../src/services/auth/scopes.js";
import { FakeInferenceBackend } from "../../helpers/fake-inference-backend.js";
import { startTestApp, type TestApp } from "../../helpers/test-app.js";

/** A concrete path for a route pattern (`*path` and `:id` filled with names that exist nowhere). */
const concrete = (pattern: string) => pattern.replace("*path", "none/nothing.wav").replace(":id", "no-such-key");

describe("API keys (auth.enabled, fake engine)", () => {
  let app: TestApp;
  const secrets = new Map<Scope, string>();
  before(async () => {
    app = await startTestApp({ backend: new FakeInferenceBackend(), yaml: "auth:\n  enabled: true\n" });
    for (const scope of SCOPES)
      secrets.set(scope, app.services.keys.create({ name: scope, scopes: [scope] }, "test").secret);
  });
  after(() => app.dispose());

  const call = (route: string, secret?: string) => {
    const [method, pattern] = route.split(" ") as [string, string];
    const headers: Record<string, string> = secret ? { Authorization: `Bearer ${secret}` } : {};
    return fetch(`${app.baseUrl}${concrete(pattern)}`, { method, headers });
  };
  /** A key with some scope other than `needed` (and not admin). */
  const otherScope = (needed: Scope) => SCOPES.find((scope) => scope !== needed && scope !== "admin")!;

  for (const [route, access] of Object.entries(ROUTE_ACCESS)) {
    it(`${route} needs ${access === "public" ? "no key" : access === "key" ? "any key" : `scope ${access}`}`, async () => {
      const anonymous = await call(route);
      if (access === "public") {
        expect(anonymous.status).to.not.be.oneOf([401, 403]);
        return;
      }
      expect(anonymous.status).to.equal(401);
      if (access !== "key") expect((await call(route, secrets.get(otherScope(access)))).status).to.equal(403);
      const allowed = access === "key" ? secrets.get("tts") : secrets.get(access);
      expect((await call(route, allowed)).status).to.not.be.oneOf([401, 403]);
      expect((await call(route, secrets.get("admin"))).status).to.not.be.oneOf([401, 403]);
    });
  }

  it("answers 401 in each API's error body, with WWW-Authenticate, and 403 naming the missing scope", async () => {
    const api = await call("POST /api/v1/tts");
    expect(api.headers.get("www-authenticate")).to.equal('Bearer realm="chatterbox"');
    expect(await api.json()).to.include({ success: false, error_code: "INVALID_API_KEY" });
    const openAi = (await (await call("GET /v1/models", "cbx-not-a-key")).json()) as { error: Record<string, unknown> };
    expect(openAi.error).to.include({ type: "authentication_error", code: "invalid_api_key" });
    const forbidden = (await (await call("POST /api/v1/tts", secrets.get("stt"))).json()) as { error: string };
    expect(forbidden.error).to.include("lacks the scope 'tts'");
  });

  it("creates, lists and revokes keys over HTTP; a revoked key fails on its very next request; all audited", async () => {
    const admin = { Authorization: `Bearer ${secrets.get("admin")}`, "Content-Type": "application/json" };
    const created = await fetch(`${app.baseUrl}/api/v1/keys`, {
      method: "POST",
      headers: admin,
      body: JSON.stringify({ name: "narrator", scopes: ["tts", "voices:read"] }),
    });
    expect(created.status).to.equal(201);
    const { key, secret } = (await created.json()) as { key: { id: string; prefix: string }; secret: string };
    expect(secret.startsWith(key.prefix)).to.equal(true);
    expect((await call("GET /api/v1/voices", secret)).status).to.equal(200);
    const listed = (await (await fetch(`${app.baseUrl}/api/v1/keys`, { headers: admin })).json()) as {
      keys: Array<Record<string, unknown>>;
    };
    expect(listed.keys.find((k) => k.id === key.id)).to.include({ name: "narrator", revoked_at: null });
    expect(JSON.stringify(listed)).to.not.include(secret);
    const revoked = await fetch(`${app.baseUrl}/api/v1/keys/${key.prefix}`, { method: "DELETE", headers: admin });
    expect(revoked.status).to.equal(200);
    expect((await call("GET /api/v1/voices", secret)).status).to.equal(401);
    const audit = (await (await fetch(`${app.baseUrl}/api/v1/audit?limit=2`, { headers: admin })).json()) as {
      entries: Array<{ action: string; target: string }>;
    };
    expect(audit.entries.map((entry) => [entry.action, entry.target])).to.deep.equal([
      ["key.revoke", key.id],
      ["key.create", key.id],
    ]);
  });

  it("refuses a new key without a name or with an unknown scope (422)", async () => {
    const admin = { Authorization: `Bearer ${secrets.get("admin")}`, "Content-Type": "application/json" };
    const bad = await fetch(`${app.baseUrl}/api/v1/keys`, {
      method: "POST",
      headers: admin,
      body: JSON.stringify({ name: "", scopes: ["fly"] }),
    });
    expect(bad.status).to.equal(422);
    const { detail } = (await bad.json()) as { detail: Array<{ loc: unknown[] }> };
    expect(detail.map((issue) => issue.loc.join("."))).to.have.members(["body.name", "body.scopes.0"]);
  });

  describe("the realtime WebSocket", () => {
    const url = () => `${app.baseUrl.replace(/^http/, "ws")}/v1/audio/speech/ws`;
    /** The HTTP status of a refused upgrade, or 101 when the socket opened (and the protocol it agreed). */
    const connect = (options: { protocols?: string[]; headers?: Record<string, string> }) =>
      new Promise<{ status: number; protocol: string }>((resolve, reject) => {
        const ws = new WebSocket(url(), options.protocols ?? [], { headers: options.headers ?? {} });
        ws.once("open", () => {
          resolve({ status: 101, protocol: ws.protocol });
          ws.close();
        });
        ws.once("unexpected-response", (_request, response) =>
          resolve({ status: response.statusCode ?? 0, protocol: "" }),
        );
        ws.once("error", reject);
      });

    it("refuses an upgrade without a key (401) or without the realtime scope (403)", async () => {
      expect((await connect({})).status).to.equal(401);
      expect((await connect({ headers: { Authorization: `Bearer ${secrets.get("tts")}` } })).status).to.equal(403);
    });

    it("opens with the key in the Authorization header, or in a subprotocol it never echoes back", async () => {
      expect((await connect({ headers: { Authorization: `Bearer ${secrets.get("realtime")}` } })).status).to.equal(101);
      const browser = await connect({ protocols: ["realtime", `openai-insecure-api-key.${secrets.get("realtime")}`] });
      expect(browser).to.deep.equal({ status: 101, protocol: "realtime" });
    });
  });
});

describe("API key limits through HTTP (fake engine)", () => {
  let app: TestApp;
  let hold: Promise<void> | undefined;
  let entered: (() => void) | undefined;
  before(async () => {
    const backend = new FakeInferenceBackend({
      beforeSegment: () => {
        entered?.();
        return hold;
      },
    });
    app = await startTestApp({ backend, yaml: "auth:\n  enabled: true\n" });
  });
  after(() => app.dispose());

  const tts = (secret: string, text = "Twelve chars") =>
    fetch(`${app.baseUrl}/v1/audio/speech`, {
      method: "POST",
      headers: { Authorization: `Bearer ${secret}`, "Content-Type": "application/json" },
      body: JSON.stringify({ model: "tts-1", voice: "alloy", input: text, response_format: "pcm" }),
    });
  const create = (limits: Partial<KeyLimits>) =>
    app.services.keys.create({ name: "l", scopes: ["tts"], limits: { ...NO_LIMITS, ...limits } }, "test").secret;

  it("refuses past the daily characters with 429 QUOTA_EXCEEDED that clients must not retry", async () => {
    const secret = create({ dailyChars: 20 });
    const first = await tts(secret);
    expect(first.status).to.equal(200);
    expect(first.headers.get("x-ratelimit-remaining-characters")).to.equal("20");
    await first.arrayBuffer();
    expect((await tts(secret)).status).to.equal(200);
    const refused = await tts(secret);
    expect(refused.status).to.equal(429);
    expect(refused.headers.get("x-should-retry")).to.equal("false");
    expect(Number(refused.headers.get("retry-after"))).to.be.within(1, 86_400);
    expect(((await refused.json()) as { error: { code: string } }).error.code).to.equal("quota_exceeded");
  });

  it("refuses past the requests a minute and past the requests at once, with Retry-After", async () => {
    const perMinute = create({ requestsPerMinute: 1 });
    await (await tts(perMinute)).arrayBuffer();
    const second = await tts(perMinute);
    expect(second.status).to.equal(429);
    expect(Number(second.headers.get("retry-after"))).to.be.within(1, 60);
    const single = create({ maxConcurrent: 1 });
    let release!: () => void;
    hold = new Promise<void>((resolve) => (release = resolve));
    const inEngine = new Promise<void>((resolve) => (entered = resolve));
    const running = tts(single);
    await inEngine;
    const refused = await tts(single);
    expect(refused.status).to.equal(429);
    expect(((await refused.json()) as { error: { message: string } }).error.message).to.include("at once");
    release();
    hold = undefined;
    entered = undefined;
    expect((await running).status).to.equal(200);
  });
});
