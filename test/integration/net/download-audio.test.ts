import { readFile } from "node:fs/promises";
import { basename, dirname } from "node:path";
import { expect } from "chai";
import {
  ClientGoneError,
  PayloadTooLargeError,
  UnsupportedMediaTypeError,
  ValidationError,
} from "../../../src/domain/errors.js";
import { downloadAudio, type DownloadAudioOptions } from "../../../src/net/download-audio.js";
import { UpstreamError, UpstreamTimeoutError } from "../../../src/domain/errors.js";
import { FIELD, TestBed, WAV, issueType, rejection, serveWav, settings, LOOPBACK_V4 } from "./download-fixtures.js";
import { fakeResolver } from "../../helpers/fake-resolver.js";

describe("net/download-audio: downloading", () => {
  const bed = new TestBed();
  beforeEach(() => bed.setUp());
  afterEach(() => bed.tearDown());

  /** Options allowing 127.0.0.1, with `overrides` of the settings. */
  function local(overrides: Parameters<typeof settings>[0] = {}): DownloadAudioOptions {
    return {
      settings: settings({ allowHosts: ["127.0.0.1"], ...overrides }),
      scratchDir: bed.scratchDir,
      field: FIELD,
    };
  }

  it("downloads from an allow-listed 127.0.0.1 server into the scratch folder, where the file stays", async () => {
    const server = await bed.serve(serveWav);
    const result = await downloadAudio(`  ${server.origin}/voices/alice.wav  `, local());
    expect(dirname(result.path)).to.equal(bed.scratchDir);
    expect(result.path).to.match(/\.wav$/);
    expect(await readFile(result.path)).to.deep.equal(WAV);
    expect(result).to.include({ bytes: WAV.length, contentType: "audio/wav", format: "wav" });
    expect(result.finalUrl).to.equal(`${server.origin}/voices/alice.wav`);
    expect(await bed.files()).to.deep.equal([basename(result.path)]);
    expect(server.requests[0]?.headers["accept-encoding"]).to.equal("identity");
  });

  it("gives concurrent downloads into one scratch folder their own files (the original's names collided)", async () => {
    const server = await bed.serve(serveWav);
    const [first, second] = await Promise.all([
      downloadAudio(`${server.origin}/input.wav`, local()),
      downloadAudio(`${server.origin}/target.wav`, local()),
    ]);
    expect(first.path).not.to.equal(second.path);
    expect((await bed.files()).sort()).to.deep.equal([basename(first.path), basename(second.path)].sort());
  });

  it("connects to the address it checked, resolving once, and keeps the host name in the Host header", async () => {
    const server = await bed.serve(serveWav);
    // A rebinding resolver: loopback (allow-listed) to the check, the metadata address to any later question.
    const resolve = fakeResolver({
      "voices.example": (call) => (call === 1 ? [LOOPBACK_V4] : [{ address: "169.254.169.254", family: 4 }]),
    });
    const url = `http://voices.example:${server.port}/a.wav`;
    const result = await downloadAudio(url, { ...local(), resolve });
    expect(result.bytes).to.equal(WAV.length);
    expect(resolve.calls).to.deep.equal(["voices.example"]);
    expect(server.requests[0]?.headers.host).to.equal(`voices.example:${server.port}`);
  });

  it("accepts a body exactly at the size cap", async () => {
    const server = await bed.serve(serveWav);
    expect((await downloadAudio(`${server.origin}/a.wav`, local({ maxBytes: WAV.length }))).bytes).to.equal(WAV.length);
  });

  it("refuses a body whose Content-Length passes the cap before reading it, leaving no file", async () => {
    const server = await bed.serve(serveWav);
    const error = await rejection(downloadAudio(`${server.origin}/a.wav`, local({ maxBytes: 1000 })));
    expect(error).to.be.instanceOf(PayloadTooLargeError);
    expect(error.message).to.include(`announced ${WAV.length} bytes`).and.include("url_sources.max_mb");
    expect(await bed.files()).to.deep.equal([]);
  });

  it("stops a body without Content-Length at the cap, leaving no file", async () => {
    const server = await bed.serve((_request, response) => {
      response.writeHead(200, { "content-type": "audio/wav" });
      for (let offset = 0; offset < WAV.length; offset += 1000) response.write(WAV.subarray(offset, offset + 1000));
      response.end();
    });
    const error = await rejection(downloadAudio(`${server.origin}/a.wav`, local({ maxBytes: 3000 })));
    expect(error).to.be.instanceOf(PayloadTooLargeError);
    expect(await bed.files()).to.deep.equal([]);
  });

  it("gives up at the deadline when the server never answers (504 URL_SOURCE_TIMEOUT), leaving no file", async () => {
    const server = await bed.serve(() => undefined);
    const started = Date.now();
    const error = await rejection(downloadAudio(`${server.origin}/a.wav`, local({ timeoutMs: 300 })));
    expect(error).to.be.instanceOf(UpstreamTimeoutError);
    expect(error.code).to.equal("URL_SOURCE_TIMEOUT");
    expect(Date.now() - started).to.be.below(5_000);
    expect(await bed.files()).to.deep.equal([]);
  });

  it("gives up at the deadline when the body stalls halfway, deleting the partial file", async () => {
    const server = await bed.serve((_request, response) => {
      response.writeHead(200, { "content-type": "audio/wav", "content-length": WAV.length });
      response.write(WAV.subarray(0, WAV.length / 2));
    });
    const error = await rejection(downloadAudio(`${server.origin}/a.wav`, local({ timeoutMs: 300 })));
    expect(error).to.be.instanceOf(UpstreamTimeoutError);
    expect(await bed.files()).to.deep.equal([]);
  });

  it("stops when the caller aborts (the client went away), leaving no file", async () => {
    const controller = new AbortController();
    const server = await bed.serve((_request, response) => {
      response.writeHead(200, { "content-type": "audio/wav" });
      response.write(WAV.subarray(0, 100), () => controller.abort());
    });
    const error = await rejection(downloadAudio(`${server.origin}/a.wav`, { ...local(), signal: controller.signal }));
    expect(error).to.be.instanceOf(ClientGoneError);
    expect(await bed.files()).to.deep.equal([]);
  });

  it("refuses content that is not audio with 415, saying what it looks like, leaving no file", async () => {
    const server = await bed.serve((request, response) => {
      // Lies about the type on purpose: the content decides.
      response.writeHead(200, { "content-type": "audio/wav" });
      response.end(request.url === "/page" ? "<!doctype html><title>Not found</title>" : "%PDF-1.4\n%âãÏÓ\n1 0 obj\n");
    });
    const html = await rejection(downloadAudio(`${server.origin}/page`, local()));
    expect(html).to.be.instanceOf(UnsupportedMediaTypeError);
    expect(html.message).to.include("text or an unknown format").and.include("the server called it audio/wav");
    const pdf = await rejection(downloadAudio(`${server.origin}/doc`, local()));
    expect(pdf.message).to.include("application/pdf");
    expect(await bed.files()).to.deep.equal([]);
  });

  it("refuses an empty body with 422", async () => {
    const server = await bed.serve((_request, response) => response.end());
    const error = await rejection(downloadAudio(`${server.origin}/a.wav`, local()));
    expect(issueType(error)).to.equal("url_empty");
    expect(await bed.files()).to.deep.equal([]);
  });

  it("names the remote status: a 4xx is the URL's fault (422), a 5xx the remote server's (502)", async () => {
    const server = await bed.serve((request, response) => {
      response.writeHead(request.url === "/missing" ? 404 : 500);
      response.end("oops");
    });
    const missing = await rejection(downloadAudio(`${server.origin}/missing`, local()));
    expect(missing).to.be.instanceOf(ValidationError);
    expect(missing.message).to.equal(`${FIELD}: the URL answered HTTP 404 Not Found`);
    expect(issueType(missing)).to.equal("url_http_status");
    const broken = await rejection(downloadAudio(`${server.origin}/broken`, local()));
    expect(broken).to.be.instanceOf(UpstreamError);
    expect(broken.code).to.equal("URL_SOURCE_FAILED");
    expect(broken.message).to.include("HTTP 500 Internal Server Error");
  });

  it("reports a server that cannot be reached as 502 URL_SOURCE_UNREACHABLE", async () => {
    const server = await bed.serve(serveWav);
    const origin = server.origin;
    await server.close();
    const error = await rejection(downloadAudio(`${origin}/a.wav`, local()));
    expect(error).to.be.instanceOf(UpstreamError);
    expect(error.code).to.equal("URL_SOURCE_UNREACHABLE");
    expect(error.message).to.include("ECONNREFUSED");
  });

  it("refuses every URL with 422 when URL sources are disabled, without connecting", async () => {
    const server = await bed.serve(serveWav);
    const error = await rejection(downloadAudio(`${server.origin}/a.wav`, local({ enabled: false })));
    expect(error).to.be.instanceOf(ValidationError);
    expect(error.message).to.include("url_sources.enabled");
    expect(issueType(error)).to.equal("url_sources_disabled");
    expect(server.connections).to.equal(0);
  });

  it("accepts only http and https URLs (422 naming the field)", async () => {
    for (const url of [
      "file:///etc/passwd",
      "ftp://files.example/a.wav",
      "data:audio/wav;base64,UklGRg==",
      "gopher://x/",
    ]) {
      const error = await rejection(downloadAudio(url, local()));
      expect(error, url).to.be.instanceOf(ValidationError);
      expect(issueType(error), url).to.equal("url_scheme");
      expect(error.message, url).to.match(new RegExp(`^${FIELD}: `));
    }
    expect(issueType(await rejection(downloadAudio("http://", local())))).to.equal("url_invalid");
  });
});
