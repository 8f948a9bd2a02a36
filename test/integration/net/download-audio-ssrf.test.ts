import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execa } from "execa";
import { expect } from "chai";
import { ValidationError } from "../../../src/domain/errors.js";
import { downloadAudio, type DownloadAudioOptions } from "../../../src/net/download-audio.js";
import { UpstreamError } from "../../../src/domain/errors.js";
import {
  FIELD,
  LOOPBACK_V4,
  TestBed,
  issueType,
  redirectTo,
  rejection,
  serveWav,
  settings,
} from "./download-fixtures.js";
import { fakeResolver } from "../../helpers/fake-resolver.js";

describe("net/download-audio: what a URL may reach", () => {
  const bed = new TestBed();
  beforeEach(() => bed.setUp());
  afterEach(() => bed.tearDown());

  function options(allowHosts: string[], extra: Partial<DownloadAudioOptions> = {}): DownloadAudioOptions {
    const resolve = fakeResolver({});
    return {
      settings: settings({ allowHosts, timeoutMs: 2_000 }),
      scratchDir: bed.scratchDir,
      field: FIELD,
      resolve,
      ...extra,
    };
  }

  async function expectRefused(url: string, download: DownloadAudioOptions): Promise<ValidationError> {
    const error = await rejection(downloadAudio(url, download));
    expect(error, url).to.be.instanceOf(ValidationError);
    expect(issueType(error), url).to.equal("url_host_not_allowed");
    expect(error.message, url).to.match(new RegExp(`^${FIELD}: .*url_sources\\.allow_hosts`));
    return error as ValidationError;
  }

  it("refuses a 127.0.0.1 server that is not allow-listed; the server sees no connection", async () => {
    const server = await bed.serve(serveWav);
    await expectRefused(`${server.origin}/a.wav`, options([]));
    await expectRefused(`${server.origin}/a.wav`, options(["127.0.0.2", "voices.example", "10.0.0.0/8"]));
    expect(server.connections).to.equal(0);
    expect(server.requests).to.deep.equal([]);
  });

  it("refuses an [::1] server that is not allow-listed; the server sees no connection", async () => {
    const server = await bed.serve(serveWav, { host: "::1" });
    expect(server.origin).to.match(/^http:\/\/\[::1\]:/);
    await expectRefused(`${server.origin}/a.wav`, options([]));
    await expectRefused(`http://[::ffff:127.0.0.1]:${server.port}/a.wav`, options([]));
    expect(server.connections).to.equal(0);
    expect((await downloadAudio(`${server.origin}/a.wav`, options(["::1"]))).format).to.equal("wav");
  });

  it("refuses the cloud metadata address and private addresses without resolving or connecting", async () => {
    const download = options([]);
    const metadata = await expectRefused("http://169.254.169.254/latest/meta-data/", download);
    expect(metadata.message).to.include("link-local (cloud metadata)");
    expect((await expectRefused("http://10.0.0.1/a.wav", download)).message).to.include("(private)");
    await expectRefused("http://[fd00:ec2::254]/latest/meta-data/", download);
    await expectRefused("http://metadata.google.internal/computeMetadata/v1/", download);
    await expectRefused("http://localhost/a.wav", download);
    expect((download.resolve as ReturnType<typeof fakeResolver>).calls).to.deep.equal([]);
  });

  it("refuses a host name that resolves to loopback, or to loopback among public addresses", async () => {
    const server = await bed.serve(serveWav);
    const resolve = fakeResolver({
      "sneaky.example": [LOOPBACK_V4],
      "mixed.example": [{ address: "93.184.215.14", family: 4 }, LOOPBACK_V4],
      "mapped.example": [{ address: "::ffff:127.0.0.1", family: 6 }],
    });
    for (const host of ["sneaky.example", "mixed.example", "mapped.example"]) {
      const error = await expectRefused(`http://${host}:${server.port}/a.wav`, options([], { resolve }));
      expect(error.message).to.include("loopback").and.not.include("127.0.0.1");
    }
    expect(server.connections).to.equal(0);
  });

  it("checks every redirect: an allow-listed server cannot send the download to a refused one", async () => {
    const refusedV4 = await bed.serve(serveWav);
    const refusedV6 = await bed.serve(serveWav, { host: "::1" });
    const targets: Record<string, string> = {
      "/to-v4": `${refusedV4.origin}/a.wav`,
      "/to-v6": `${refusedV6.origin}/a.wav`,
      "/to-name": "http://internal.example/a.wav",
      "/to-metadata": "http://169.254.169.254/latest/meta-data/",
    };
    const allowed = await bed.serve((request, response) =>
      redirectTo(targets[request.url ?? ""] ?? "/")(request, response),
    );
    const resolve = fakeResolver({
      "allowed.example": [LOOPBACK_V4],
      "internal.example": [{ address: "10.1.2.3", family: 4 }],
    });
    for (const path of Object.keys(targets)) {
      await expectRefused(`http://allowed.example:${allowed.port}${path}`, options(["allowed.example"], { resolve }));
    }
    expect(allowed.requests.map((request) => request.url)).to.deep.equal(Object.keys(targets));
    expect(refusedV4.connections + refusedV6.connections).to.equal(0);
  });

  it("follows relative and absolute redirects to allowed places and reports the final URL", async () => {
    const server = await bed.serve((request, response) => {
      if (request.url === "/final.wav") return serveWav(request, response);
      redirectTo(request.url === "/start" ? "/middle" : `http://127.0.0.1:${server.port}/final.wav`, 307)(
        request,
        response,
      );
    });
    const result = await downloadAudio(`${server.origin}/start`, options(["127.0.0.1"]));
    expect(result.finalUrl).to.equal(`${server.origin}/final.wav`);
    expect(server.requests.map((request) => request.url)).to.deep.equal(["/start", "/middle", "/final.wav"]);
  });

  it("refuses a redirect loop after url_sources.max_redirects, and any redirect when it is 0", async () => {
    const server = await bed.serve(redirectTo("/again", 301));
    const download = options(["127.0.0.1"]);
    const error = await rejection(downloadAudio(`${server.origin}/loop`, download));
    expect(error).to.be.instanceOf(ValidationError);
    expect(issueType(error)).to.equal("url_too_many_redirects");
    expect(server.requests).to.have.length(4);
    const none = { ...download, settings: { ...download.settings, maxRedirects: 0 } };
    expect(issueType(await rejection(downloadAudio(`${server.origin}/loop`, none)))).to.equal("url_too_many_redirects");
    expect(server.requests).to.have.length(5);
    expect(await bed.files()).to.deep.equal([]);
  });

  it("refuses a redirect to another scheme, and a redirect without a Location (502)", async () => {
    const server = await bed.serve((request, response) => {
      if (request.url === "/nowhere") return void response.writeHead(302).end();
      redirectTo("file:///etc/passwd")(request, response);
    });
    const download = options(["127.0.0.1"]);
    expect(issueType(await rejection(downloadAudio(`${server.origin}/file`, download)))).to.equal(
      "url_redirect_scheme",
    );
    const nowhere = await rejection(downloadAudio(`${server.origin}/nowhere`, download));
    expect(nowhere).to.be.instanceOf(UpstreamError);
    expect(nowhere.message).to.include("without a Location");
  });

  describe("https", () => {
    let certDir = "";
    const tls = { key: "", cert: "" };

    before(async function () {
      certDir = await mkdtemp(join(tmpdir(), "url-source-cert-"));
      const [key, cert] = [join(certDir, "key.pem"), join(certDir, "cert.pem")];
      const subject = ["-subj", "/CN=voices.example", "-addext", "subjectAltName=DNS:voices.example"];
      const args = ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];
      const result = await execa("openssl", [...args, "-days", "1", "-keyout", key, "-out", cert, ...subject], {
        reject: false,
      });
      if (result.failed) return this.skip();
      [tls.key, tls.cert] = await Promise.all([readFile(key, "utf8"), readFile(cert, "utf8")]);
    });

    after(() => rm(certDir, { recursive: true, force: true }));

    it("connects to the checked address but verifies the certificate of the host name (SNI kept)", async () => {
      const server = await bed.serve(serveWav, { tls });
      const resolve = fakeResolver({ "voices.example": [LOOPBACK_V4] });
      const url = `https://voices.example:${server.port}/a.wav`;
      const result = await downloadAudio(url, options(["voices.example"], { resolve, ca: tls.cert }));
      expect(result.format).to.equal("wav");
      expect(server.requests[0]?.servername).to.equal("voices.example");
      expect(server.requests[0]?.headers.host).to.equal(`voices.example:${server.port}`);
      const untrusted = await rejection(downloadAudio(url, options(["voices.example"], { resolve })));
      expect(untrusted).to.be.instanceOf(UpstreamError);
      expect(untrusted.code).to.equal("URL_SOURCE_UNREACHABLE");
    });
  });
});
