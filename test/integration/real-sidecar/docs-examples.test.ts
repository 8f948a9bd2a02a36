/**
 * The API reference runs as written: every curl example of docs/api/{voices,vc-inputs,outputs,maintenance,vc,
 * transcriptions,concat,openai,realtime,post-processing}.md is run against the app with the real sidecar (espeak engine), top to bottom, in one
 * working folder that holds the files the examples upload. Each reference page opens with an endpoint index
 * that lists every route the server registers for its part of the API, and only routes that exist.
 */
import { readFileSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type Router from "@koa/router";
import { expect } from "chai";
import { execa } from "execa";
import { PROJECT_ROOT } from "../../../src/project-root.js";
import type { SidecarSupervisor } from "../../../src/sidecar/supervisor.js";
import { realSidecarSupervisor } from "../../helpers/real-sidecar.js";
import { appOver, makeDataDir, startTestApp, type TestApp } from "../../helpers/test-app.js";
import { buildS16Wav, harmonicTone, mono } from "../../helpers/wav-builder.js";
import { endpointIndex, headingAnchors, shellExamples } from "./docs-markdown.js";

/** The base URL the examples are written against; replaced with the test server's. */
const DOCS_BASE_URL = "http://127.0.0.1:7860";
const DOCS_DIR = join(PROJECT_ROOT, "docs", "api");

/** The reference pages (each opens with an endpoint index), in the order their examples run. */
const PAGES = [
  "voices.md",
  "vc-inputs.md",
  "outputs.md",
  "maintenance.md",
  "vc.md",
  "transcriptions.md",
  "concat.md",
  "openai.md",
  "realtime.md",
];
/** Guides without routes of their own, whose examples run after the reference pages'. */
const GUIDES = ["post-processing.md"];

/** Which page documents the routes under which paths (maintenance.md may document any of them too). */
const ROUTE_OWNERS: Record<string, RegExp> = {
  "voices.md": /^\/api\/v1\/voices?(\/|$)/,
  "vc-inputs.md": /^\/api\/v1\/vc_inputs?(\/|$)/,
  "outputs.md": /^(\/api\/v1\/outputs?(\/|$)|\/outputs\/)/,
  "vc.md": /^\/api\/v1\/vc$/,
  "transcriptions.md": /^\/v1\/audio\/(transcriptions|translations)$/,
  "concat.md": /^\/api\/v1\/concat(\/|$)/,
  "openai.md": /^\/v1\/(audio\/speech|models|audio\/voices)(\/|$)(?!ws$)/,
  "realtime.md": /^\/v1\/audio\/speech\/ws$/,
};

const SAMPLE_RATE = 24_000;
const toneWav = (f0: number, seconds: number) =>
  buildS16Wav(mono(SAMPLE_RATE, harmonicTone({ f0, seconds, sampleRate: SAMPLE_RATE, harmonics: [0.4, 0.2, 0.1] })));

/** The files the examples upload, as the pages describe them. */
async function createFixtures(dir: string): Promise<void> {
  const mp3 = async (wav: Buffer, name: string) => {
    const source = join(dir, `.${name}.source.wav`);
    await writeFile(source, wav);
    await execa("ffmpeg", ["-v", "error", "-y", "-i", source, "-c:a", "libmp3lame", "-f", "mp3", join(dir, name)]);
    await rm(source);
  };
  await writeFile(join(dir, "narrator.wav"), toneWav(140, 4)); // a 4-second WAV
  await mp3(toneWav(95, 5), "villain.wav"); // an MP3 with a .wav name
  await mp3(toneWav(180, 6), "interview.mp3");
  await writeFile(join(dir, "intro.wav"), toneWav(160, 3));
  await execa("espeak-ng", [
    "-w",
    join(dir, "speech.wav"),
    "The quick brown fox jumps over the lazy dog. Then it runs home.",
  ]);
}

const readPage = (page: string) => readFileSync(join(DOCS_DIR, page), "utf8");

describe("docs/api examples run as written (real sidecar, espeak engine)", function () {
  this.timeout(120_000);
  let supervisor: SidecarSupervisor;
  let app: TestApp;
  let work: string;

  before(async () => {
    const data = await makeDataDir("inference:\n  allow_download: false\n");
    supervisor = realSidecarSupervisor(data.config);
    await supervisor.start();
    app = await startTestApp({ backend: supervisor.backend, data, health: supervisor });
    work = await mkdtemp(join(tmpdir(), "docs-examples-"));
    await createFixtures(work);
  });
  after(async () => {
    await app?.dispose();
    await supervisor?.stop();
    if (work) await rm(work, { recursive: true, force: true });
  });

  /** "METHOD /path/{param}" of every route the app registers (HEAD, which Koa adds to GET, left out). */
  function registeredRoutes(): Set<string> {
    const koa = appOver(app.config, app.services, supervisor);
    const routes = new Set<string>();
    for (const middleware of koa.middleware) {
      for (const layer of (middleware as { router?: Router }).router?.stack ?? []) {
        const path = String(layer.path).replace(/[*:](\w+)/g, "{$1}");
        for (const method of layer.methods.filter((m) => m !== "HEAD")) routes.add(`${method} ${path}`);
      }
    }
    return routes;
  }

  const indexed = (page: string) => endpointIndex(readPage(page)).map((row) => row.route);

  for (const page of PAGES) {
    describe(`docs/api/${page}`, () => {
      it("opens with an endpoint index of existing routes, each linking to its section", () => {
        const markdown = readPage(page);
        const rows = endpointIndex(markdown);
        expect(rows, "an index table (| Method | Path | ... |) before the first section").to.not.be.empty;
        const registered = registeredRoutes();
        const anchors = headingAnchors(markdown);
        for (const row of rows) {
          expect(registered, `${row.route} is listed but the server has no such route`).to.include(row.route);
          expect(anchors, `${row.route} links to #${row.anchor}, which no heading has`).to.include(row.anchor);
        }
      });

      const owner = ROUTE_OWNERS[page];
      if (owner) {
        it("lists every route the server registers for its library", () => {
          const documented = new Set([...indexed(page), ...indexed("maintenance.md")]);
          const owned = [...registeredRoutes()].filter((route) => owner.test(route.split(" ")[1] as string));
          const undocumented = owned.filter((route) => !documented.has(route));
          expect(undocumented, `routes the server has but the index of ${page} does not list`).to.deep.equal([]);
        });
      }

      runExamples(page);
    });
  }

  for (const page of GUIDES) {
    describe(`docs/api/${page}`, () => runExamples(page));
  }

  function runExamples(page: string): void {
    for (const example of shellExamples(readPage(page))) {
      it(`runs the example at docs/api/${page}:${example.line}`, async () => {
        const script = example.script.replaceAll(DOCS_BASE_URL, app.baseUrl);
        const run = await execa("bash", ["-e", "-o", "pipefail", "-c", script], { cwd: work, reject: false });
        const report = `docs/api/${page}:${example.line}\n${example.script}\n--- stdout\n${run.stdout}\n--- stderr\n${run.stderr}`;
        expect(run.exitCode, report).to.equal(0);
      });
    }
  }
});
