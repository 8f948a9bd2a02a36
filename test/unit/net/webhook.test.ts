import { createHmac } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { expect } from "chai";
import { ValidationError } from "../../../src/domain/errors.js";
import { AllowList } from "../../../src/net/allow-list.js";
import type { ResolvedAddress } from "../../../src/net/checked-addresses.js";
import {
  SIGNATURE_HEADER,
  checkWebhookUrl,
  deliverWebhook,
  webhookSignature,
  type WebhookDelivery,
  type WebhookOptions,
} from "../../../src/net/webhook.js";
import { startLocalServer, type LocalServer } from "../../helpers/local-http-server.js";
import { fakeResolver } from "../../helpers/fake-resolver.js";
import { rejection } from "../../helpers/rejection.js";

const SECRET = "whsec_test";
const LOOPBACK: ResolvedAddress = { address: "127.0.0.1", family: 4 };

function hmac(timestamp: string, body: string): string {
  return createHmac("sha256", SECRET).update(`${timestamp}.${body}`).digest("hex");
}

/** What a client's receiver does: recompute the HMAC from the raw body and the header's timestamp. */
function verify(header: string, body: string): { timestamp: number; valid: boolean } {
  const match = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(header);
  if (!match) return { timestamp: Number.NaN, valid: false };
  return { timestamp: Number(match[1]), valid: hmac(match[1]!, body) === match[2] };
}

interface Received {
  headers: IncomingMessage["headers"];
  url: string;
  body: string;
}

/** A local server whose handler answers each request with the next of `statuses` (the last one repeats). */
async function serveStatuses(statuses: number[], received: Received[]): Promise<LocalServer> {
  return startLocalServer((request: IncomingMessage, response: ServerResponse) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      received.push({ headers: request.headers, url: request.url ?? "", body: Buffer.concat(chunks).toString() });
      const status = statuses[Math.min(received.length, statuses.length) - 1]!;
      if (status >= 300 && status < 400) response.setHeader("location", "/elsewhere");
      response.writeHead(status, { "content-type": "text/plain" });
      response.end("ignored body");
    });
  });
}

function options(extra: Partial<WebhookOptions> = {}): WebhookOptions & { backoffCalls: number[] } {
  const backoffCalls: number[] = [];
  return {
    allow: AllowList.parse(["127.0.0.1"]),
    resolve: fakeResolver({}),
    timeoutMs: 2_000,
    attempts: 3,
    backoffMs: (attempt) => {
      backoffCalls.push(attempt);
      return 0;
    },
    ...extra,
    backoffCalls,
  };
}

function delivery(url: string): WebhookDelivery {
  return { url: new URL(url), secret: SECRET, body: { job_id: "job-1", status: "succeeded" }, deliveryId: "job-1" };
}

describe("net/webhook", () => {
  const servers: LocalServer[] = [];
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((server) => server.close()));
  });

  async function serve(statuses: number[], received: Received[] = []): Promise<LocalServer> {
    const server = await serveStatuses(statuses, received);
    servers.push(server);
    return server;
  }

  describe("webhookSignature", () => {
    it("is deterministic and verifiable by recomputing the HMAC of '<t>.<body>'", () => {
      const body = '{"job_id":"job-1"}';
      const signature = webhookSignature(SECRET, 1_700_000_000, body);
      expect(signature).to.equal(webhookSignature(SECRET, 1_700_000_000, body));
      expect(signature).to.equal(`t=1700000000,v1=${hmac("1700000000", body)}`);
      expect(verify(signature, body)).to.deep.equal({ timestamp: 1_700_000_000, valid: true });
      expect(verify(signature, `${body} `).valid).to.equal(false);
      expect(webhookSignature(SECRET, 1_700_000_001, body)).not.to.equal(signature);
      expect(webhookSignature("other", 1_700_000_000, body)).not.to.equal(signature);
    });
  });

  describe("checkWebhookUrl", () => {
    const context = { allow: AllowList.parse([]), signal: new AbortController().signal };

    it("refuses a private address with the default allow list: a 422 naming webhook_url", async () => {
      const resolve = fakeResolver({ "lan.example": [{ address: "10.0.0.7", family: 4 }] });
      for (const url of ["http://10.0.0.1/hook", "http://127.0.0.1:8080/hook", "http://lan.example/hook"]) {
        const error = await rejection<ValidationError>(checkWebhookUrl(url, { ...context, resolve }));
        expect(error, url).to.be.instanceOf(ValidationError);
        expect(error.message, url).to.match(/^webhook_url: /);
        expect(error.detail, url).to.deep.equal([
          {
            loc: ["body", "webhook_url"],
            msg: error.message.slice("webhook_url: ".length),
            type: "url_host_not_allowed",
          },
        ]);
      }
      expect(issueType(await rejection(checkWebhookUrl("ftp://x.example/", { ...context, resolve })))).to.equal(
        "url_scheme",
      );
    });

    it("returns the parsed URL of a public or allow-listed host", async () => {
      const resolve = fakeResolver({ "hooks.example": [{ address: "93.184.215.14", family: 4 }] });
      const url = await checkWebhookUrl(" https://hooks.example/done?x=1 ", { ...context, resolve });
      expect(url.href).to.equal("https://hooks.example/done?x=1");
      const allowed = { ...context, resolve, allow: AllowList.parse(["127.0.0.1"]) };
      expect((await checkWebhookUrl("http://127.0.0.1:9/h", allowed)).host).to.equal("127.0.0.1:9");
    });

    function issueType(value: unknown): string | undefined {
      return ((value as ValidationError).detail as Array<{ type: string }> | undefined)?.[0]?.type;
    }
  });

  describe("deliverWebhook", () => {
    it("POSTs the JSON body with a valid signature, the delivery id and a user agent", async () => {
      const received: Received[] = [];
      const server = await serve([204], received);
      const before = Math.floor(Date.now() / 1000);
      const result = await deliverWebhook(delivery(`${server.origin}/hook?k=1`), options());
      expect(result).to.deep.equal({ delivered: true, attempts: 1, status: 204 });
      expect(server.requests.map(({ method, url }) => [method, url])).to.deep.equal([["POST", "/hook?k=1"]]);
      const [request] = received;
      expect(JSON.parse(request!.body)).to.deep.equal({ job_id: "job-1", status: "succeeded" });
      expect(request!.headers["content-type"]).to.equal("application/json");
      expect(request!.headers["x-chatterbox-delivery"]).to.equal("job-1");
      expect(request!.headers["user-agent"]).to.include("chatterbox");
      const { timestamp, valid } = verify(String(request!.headers[SIGNATURE_HEADER]), request!.body);
      expect(valid).to.equal(true);
      expect(timestamp).to.be.within(before, Math.floor(Date.now() / 1000));
    });

    it("connects only to the checked address of an allow-listed name", async () => {
      const received: Received[] = [];
      const server = await serve([200], received);
      const resolve = fakeResolver({ "hooks.internal": [LOOPBACK] });
      const url = `http://hooks.internal:${server.port}/hook`;
      const result = await deliverWebhook(
        delivery(url),
        options({ resolve, allow: AllowList.parse(["hooks.internal"]) }),
      );
      expect(result.delivered).to.equal(true);
      expect(received[0]!.headers.host).to.equal(`hooks.internal:${server.port}`);
      expect(resolve.calls).to.deep.equal(["hooks.internal"]);
    });

    it("retries 500 and 429, then succeeds; attempts and backoff are counted", async () => {
      const received: Received[] = [];
      const server = await serve([500, 429, 200], received);
      const hook = options({ attempts: 5 });
      const result = await deliverWebhook(delivery(`${server.origin}/hook`), hook);
      expect(result).to.deep.equal({ delivered: true, attempts: 3, status: 200 });
      expect(hook.backoffCalls).to.deep.equal([1, 2]);
      // Each attempt is signed anew and carries the same delivery id.
      for (const request of received) {
        expect(verify(String(request.headers[SIGNATURE_HEADER]), request.body).valid).to.equal(true);
        expect(request.headers["x-chatterbox-delivery"]).to.equal("job-1");
      }
    });

    it("gives up after `attempts` server errors and reports the last status", async () => {
      const server = await serve([503]);
      const result = await deliverWebhook(delivery(`${server.origin}/hook`), options({ attempts: 3 }));
      expect(result).to.include({ delivered: false, attempts: 3, status: 503 });
      expect(result.error).to.include("503");
      expect(server.requests).to.have.length(3);
    });

    it("stops at once on a 404", async () => {
      const server = await serve([404]);
      const hook = options();
      const result = await deliverWebhook(delivery(`${server.origin}/hook`), hook);
      expect(result).to.include({ delivered: false, attempts: 1, status: 404 });
      expect(server.requests).to.have.length(1);
      expect(hook.backoffCalls).to.deep.equal([]);
    });

    it("does not follow a 302", async () => {
      const server = await serve([302, 200]);
      const result = await deliverWebhook(delivery(`${server.origin}/hook`), options());
      expect(result).to.include({ delivered: false, attempts: 1, status: 302 });
      expect(result.error).to.include("redirect");
      expect(server.requests.map(({ url }) => url)).to.deep.equal(["/hook"]);
    });

    it("re-checks the host at each attempt: a refused host gets no connection and is reported, not thrown", async () => {
      const server = await serve([200]);
      const result = await deliverWebhook(delivery(`${server.origin}/hook`), options({ allow: AllowList.parse([]) }));
      expect(result).to.include({ delivered: false, attempts: 1 });
      expect(result.error).to.match(/^webhook_url: .*not a public address/);
      expect(server.connections).to.equal(0);
    });

    it("reports a server that never answers as a timeout after every attempt", async () => {
      const hanging = await startLocalServer(() => undefined);
      servers.push(hanging);
      const started = Date.now();
      const result = await deliverWebhook(delivery(`${hanging.origin}/hook`), options({ attempts: 2, timeoutMs: 150 }));
      expect(result).to.deep.equal({ delivered: false, attempts: 2, error: "no answer within 150 ms" });
      expect(hanging.requests).to.have.length(2);
      expect(Date.now() - started).to.be.below(5_000);
    });

    it("retries a refused connection and reports the network error", async () => {
      const closed = await startLocalServer(() => undefined);
      await closed.close();
      const result = await deliverWebhook(delivery(`${closed.origin}/hook`), options({ attempts: 2 }));
      expect(result).to.include({ delivered: false, attempts: 2 });
      expect(result.error).to.include("ECONNREFUSED");
      expect(result).not.to.have.property("status");
    });

    it("stops when cancelled between attempts", async () => {
      const controller = new AbortController();
      const server = await serve([500]);
      const hook = options({ signal: controller.signal, backoffMs: () => (controller.abort(), 0) });
      const result = await deliverWebhook(delivery(`${server.origin}/hook`), hook);
      expect(result).to.deep.equal({ delivered: false, attempts: 1, status: 500, error: "delivery cancelled" });
    });
  });
});
