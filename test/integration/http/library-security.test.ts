/**
 * Every endpoint that takes a path, tried the way an attacker would: traversal (plain, percent-encoded,
 * backslashed), absolute paths, NUL bytes and symlinks out of the root. A path that tries to leave its root
 * is bad input (400), whether it leaves by `..`, by being absolute or by a symlink the server would follow;
 * nothing outside the libraries is read or touched.
 */
import { access, readdir, readFile, mkdir, rm, symlink, writeFile } from "node:fs/promises";
import { request } from "node:http";
import { join } from "node:path";
import { expect } from "chai";
import { FakeInferenceBackend, FAKE_SAMPLE_RATE } from "../../helpers/fake-inference-backend.js";
import { startTestApp, type TestApp } from "../../helpers/test-app.js";
import { buildS16Wav, mono, sine } from "../../helpers/wav-builder.js";

interface RawResponse {
  status: number;
  body: string;
}

/** Sends `path` exactly as written (fetch would normalise the dots away). */
function raw(
  baseUrl: string,
  method: string,
  path: string,
  body?: { type: string; data: Buffer | string },
): Promise<RawResponse> {
  const { hostname, port } = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const headers = body ? { "Content-Type": body.type, "Content-Length": Buffer.byteLength(body.data) } : undefined;
    const req = request({ host: hostname, port, path, method, headers }, (response) => {
      const chunks: Buffer[] = [];
      response.on("data", (chunk: Buffer) => chunks.push(chunk));
      response.on("end", () => resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString() }));
    });
    req.on("error", reject);
    req.end(body?.data);
  });
}

/**
 * Ways to name something outside a library root from inside a URL path, and the status each gets. `{secret}`
 * is the absolute path of a real file beside the roots.
 */
const VARIANTS: Array<{ path: string; status: number; kind: string }> = [
  { path: "../secret.wav", status: 400, kind: "plain traversal" },
  { path: "a/../../secret.wav", status: 400, kind: "traversal below a folder" },
  { path: "..%2Fsecret.wav", status: 400, kind: "encoded slash" },
  { path: "%2e%2e%2Fsecret.wav", status: 400, kind: "encoded dots" },
  { path: "%2E%2E/secret.wav", status: 400, kind: "upper-case encoded dots" },
  { path: "a/..%2F..%2Fsecret.wav", status: 400, kind: "encoded traversal below a folder" },
  { path: "..%5Csecret.wav", status: 400, kind: "encoded backslash" },
  { path: "%2e%2e%5c%2e%2e%5csecret.wav", status: 400, kind: "encoded dots and backslashes" },
  { path: "{secret}", status: 400, kind: "absolute path, encoded" },
  { path: "C:%5Csecret.wav", status: 400, kind: "drive letter" },
  { path: "secret.wav%00.mp3", status: 400, kind: "NUL byte" },
  { path: "escape/secret.wav", status: 400, kind: "through a symlinked folder leading out" },
  { path: "link.wav", status: 400, kind: "a symlink in the root to a file outside" },
  // URLs are decoded once: this is the literal name '%2e%2e%2fsecret.wav' inside the root, which no file has.
  { path: "%252e%252e%252fsecret.wav", status: 404, kind: "double-encoded (a literal name)" },
];

describe("library endpoints refuse paths that leave their folder (fake engine)", function () {
  this.timeout(20_000);
  let app: TestApp;
  let secret: string;

  before(async () => {
    app = await startTestApp({ backend: new FakeInferenceBackend() });
    secret = join(app.dir, "secret.wav");
    const tone = buildS16Wav(mono(FAKE_SAMPLE_RATE, sine({ freq: 200, seconds: 4, sampleRate: FAKE_SAMPLE_RATE })));
    await writeFile(secret, tone);
    await writeFile(join(app.dir, "secret.wav.json"), "{}");
    for (const root of [app.config.paths.referenceAudio, app.config.paths.vcInputs, app.config.paths.outputs]) {
      await mkdir(join(root, "a"), { recursive: true });
      await symlink(secret, join(root, "link.wav"));
      await symlink(app.dir, join(root, "escape"));
    }
    await app.services.library.rescan();
  });
  after(() => app.dispose());

  const ITEM_ROUTES: Array<[string, (p: string) => string]> = [
    ["GET", (p) => `/api/v1/voices/${p}`],
    ["GET", (p) => `/api/v1/voices/${p}/audio`],
    ["PUT", (p) => `/api/v1/voice/${p}/metadata`],
    ["DELETE", (p) => `/api/v1/voice/${p}?confirm=true`],
    ["GET", (p) => `/api/v1/vc_inputs/${p}`],
    ["GET", (p) => `/api/v1/vc_inputs/${p}/audio`],
    ["DELETE", (p) => `/api/v1/vc_input/${p}?confirm=true`],
    ["GET", (p) => `/api/v1/outputs/${p}`],
    ["GET", (p) => `/api/v1/outputs/${p}/metadata`],
    ["DELETE", (p) => `/api/v1/output/${p}?confirm=true`],
    ["GET", (p) => `/outputs/${p}`],
  ];

  for (const variant of VARIANTS) {
    it(`answers ${variant.status} on every item route to ${variant.kind}: ${variant.path}`, async () => {
      const path = variant.path.replace("{secret}", encodeURIComponent(secret));
      const json = { type: "application/json", data: JSON.stringify({ description: "pwned" }) };
      for (const [method, route] of ITEM_ROUTES) {
        const url = route(path);
        const response = await raw(app.baseUrl, method, url, method === "PUT" ? json : undefined);
        expect(response.status, `${method} ${url} → ${response.body.slice(0, 160)}`).to.equal(variant.status);
        const code = variant.status === 400 ? "INVALID_PATH" : "RESOURCE_NOT_FOUND";
        expect(JSON.parse(response.body), `${method} ${url}`).to.include({ error_code: code });
      }
      expect(await readFile(join(app.dir, "secret.wav.json"), "utf8")).to.equal("{}");
      await access(secret);
    });
  }

  it("takes a double-encoded name literally: a file of that name inside the root is the one served", async () => {
    const literal = join(app.config.paths.outputs, "%2e%2e%2fsecret.wav");
    await writeFile(literal, "inside the root");
    const response = await raw(app.baseUrl, "GET", "/outputs/%252e%252e%252fsecret.wav");
    expect(response).to.deep.equal({ status: 200, body: "inside the root" });
    await rm(literal);
  });

  it("refuses traversal in the folder and filenames filters of listings and bulk deletes with 400", async () => {
    for (const library of ["voices", "vc_inputs", "outputs"]) {
      for (const folder of ["..", "../..", "..%2F..", "%2Fetc", "a%5C..%5C..", "a%00"]) {
        const list = await raw(app.baseUrl, "GET", `/api/v1/${library}?folder=${folder}`);
        expect(list.status, `list ${library} folder=${folder}: ${list.body}`).to.equal(400);
        const bulk = await raw(app.baseUrl, "DELETE", `/api/v1/${library}?confirm=true&folder=${folder}`);
        expect(bulk.status, `bulk ${library} folder=${folder}: ${bulk.body}`).to.equal(400);
      }
      for (const names of ["..%2Fsecret.wav", "a.wav,%2Ftmp%2Fsecret.wav", "a%5C..%5Csecret.wav", "x%00.wav"]) {
        const list = await raw(app.baseUrl, "GET", `/api/v1/${library}?filenames=${names}`);
        expect(list.status, `list ${library} filenames=${names}: ${list.body}`).to.equal(400);
        const bulk = await raw(app.baseUrl, "DELETE", `/api/v1/${library}?confirm=true&filenames=${names}`);
        expect(bulk.status, `bulk ${library} filenames=${names}: ${bulk.body}`).to.equal(400);
      }
    }
    await readFile(secret);
  });

  it("refuses upload folders and metadata moves that leave the root, creating nothing outside", async () => {
    const before = (await readdir(app.dir)).sort();
    const wav = await readFile(secret);
    for (const [route, field] of [
      ["/api/v1/voice", "voice_file"],
      ["/api/v1/vc_input", "vc_input_file"],
    ] as const) {
      for (const folder of [
        "../escaped",
        "/tmp/escaped",
        "a/../../escaped",
        "a\\..\\..\\escaped",
        "a\u0000b",
        "escape",
        "escape/inside-link",
      ]) {
        const form = new FormData();
        form.set(field, new Blob([new Uint8Array(wav)]), "x.wav");
        form.set("folder_path", folder);
        const response = await fetch(`${app.baseUrl}${route}`, { method: "POST", body: form });
        expect(response.status, `${route} folder_path=${folder}: ${await response.clone().text()}`).to.equal(400);
      }
    }
    const voice = new FormData();
    voice.set("voice_file", new Blob([new Uint8Array(wav)]), "ok.wav");
    expect((await fetch(`${app.baseUrl}/api/v1/voice`, { method: "POST", body: voice })).status).to.equal(200);
    const move = await fetch(`${app.baseUrl}/api/v1/voice/ok.wav/metadata`, {
      method: "PUT",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ folder_path: "../../escaped" }),
    });
    expect(move.status).to.equal(400);
    const intoLink = await fetch(`${app.baseUrl}/api/v1/voice/ok.wav/metadata`, {
      method: "PUT",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ folder_path: "escape" }),
    });
    expect(intoLink.status).to.equal(400);
    await access(join(app.config.paths.referenceAudio, "ok.wav"));
    expect((await readdir(app.dir)).sort()).to.deep.equal(before);
  });

  it("keeps a client's file name inside the folder: path parts of an upload's name are dropped", async () => {
    const form = new FormData();
    form.set("vc_input_file", new Blob([new Uint8Array(await readFile(secret))]), "../../../evil.wav");
    const response = await fetch(`${app.baseUrl}/api/v1/vc_input`, { method: "POST", body: form });
    expect(response.status).to.equal(200);
    expect(((await response.json()) as { filename: string }).filename).to.equal("evil.wav");
    expect(await readdir(app.config.paths.vcInputs)).to.include("evil.wav");
  });
});
