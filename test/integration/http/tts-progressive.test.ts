/**
 * POST /api/v1/tts?response_mode=stream&progressive=true (fake engine): the audio leaves while later segments
 * are still being spoken, in the asked format; what needs the whole audio is reported, and nothing is saved.
 */
import { readdir } from "node:fs/promises";
import { request as httpRequest, type IncomingMessage } from "node:http";
import { expect } from "chai";
import { decodeAudio } from "../../helpers/audio-file.js";
import { FakeInferenceBackend } from "../../helpers/fake-inference-backend.js";
import { probeAudio } from "../../helpers/ffprobe.js";
import { startTestApp, type TestApp } from "../../helpers/test-app.js";

/** About 160 characters: two would not fit in one 300-character segment, so each is a segment of its own. */
const SENTENCE =
  "This sentence is long enough that the engine speaks it as a segment of its own, without any other sentence " +
  "joining it, because two of them would never fit. ";
const TEXT = SENTENCE.repeat(4).trim();

describe("POST /api/v1/tts progressive streaming (fake engine)", () => {
  let app: TestApp;
  let beforeSegment: ((index: number) => Promise<void> | undefined) | undefined;
  before(async () => {
    const backend = new FakeInferenceBackend({
      beforeSegment: (_call, index) => beforeSegment?.(index),
      // Known only once the engine has spoken: reported in the trailer, after the audio.
      ignoredParameters: ["exaggeration"],
    });
    app = await startTestApp({ backend });
  });
  after(() => app.dispose());
  afterEach(() => (beforeSegment = undefined));

  const tts = (body: object, query: string) =>
    fetch(`${app.baseUrl}/api/v1/tts${query}`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(body),
    });

  it("streams the return format while later segments are still being spoken, and saves no file", async () => {
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    beforeSegment = (index) => (index === 3 ? released : undefined);
    const response = await tts(
      { text: TEXT, seed: 4, export_formats: ["mp3"] },
      "?response_mode=stream&progressive=true",
    );
    expect(response.status).to.equal(200);
    expect(response.headers.get("content-type")).to.equal("audio/mpeg");
    expect(response.headers.get("x-generation-seed")).to.equal("4");
    // export_formats ["mp3"] only chose the streamed format: nothing to report.
    expect(response.headers.get("x-warnings")).to.equal(null);
    const reader = response.body!.getReader();
    const chunks: Uint8Array[] = [];
    for (let read = await reader.read(); !read.done; read = await reader.read()) {
      chunks.push(read.value);
      // The last segment waits until audio has reached the client: a buffered response would hang here.
      release();
    }
    const bytes = Buffer.concat(chunks);
    expect((await probeAudio(bytes)).codecName).to.equal("mp3");
    expect((await decodeAudio(bytes)).samples.length / 24_000).to.be.closeTo(4 * 0.4 + (TEXT.length - 3) * 0.01, 0.1);
    expect(await readdir(app.config.paths.outputs)).to.deep.equal([]);
  });

  it("reports the options that need the whole audio instead of ignoring them", async () => {
    const body = { text: TEXT, trim: true, normalize_audio: true, export_formats: ["wav", "mp3"], ae_margin: 0.3 };
    const response = await tts(body, "?response_mode=stream&progressive=true&return_format=wav");
    expect(response.status).to.equal(200);
    await response.arrayBuffer();
    expect(JSON.parse(response.headers.get("x-warnings")!)).to.deep.equal([
      "trim, normalize_audio need the whole audio and were not applied to the progressive stream",
      "progressive streaming sends one format and saves no file in outputs/; the other export_formats had no effect",
      "ae_margin had no effect: use_auto_editor=false switches that stage off",
    ]);
  });

  it("sends what the engine reports at the end in an X-Warnings trailer after the last byte", async () => {
    const body = JSON.stringify({ text: TEXT, exaggeration: 0.9, export_formats: ["pcm"] });
    const url = new URL(`${app.baseUrl}/api/v1/tts?response_mode=stream&progressive=true`);
    const { response, bytes } = await new Promise<{ response: IncomingMessage; bytes: number }>((resolve, reject) => {
      const request = httpRequest(url, { method: "POST", headers: { "Content-Type": "application/json" } }, (res) => {
        let received = 0;
        res.on("data", (chunk: Buffer) => (received += chunk.length));
        res.on("end", () => resolve({ response: res, bytes: received }));
      });
      request.on("error", reject);
      request.end(body);
    });
    expect(response.headers.trailer).to.equal("X-Warnings");
    expect(response.headers["x-warnings"]).to.equal(undefined);
    expect(bytes).to.be.greaterThan(0);
    expect(JSON.parse(response.trailers["x-warnings"]!)).to.deep.equal([
      "the espeak engine does not use exaggeration; it has no effect",
    ]);
  });

  it("refuses progressive with a JSON response mode, or a value that is not a boolean", async () => {
    const json = await tts({ text: TEXT }, "?response_mode=json&progressive=true");
    expect(json.status).to.equal(422);
    expect(((await json.json()) as { detail: unknown[] }).detail).to.deep.equal([
      { loc: ["query", "progressive"], msg: "needs response_mode=stream", type: "value_error" },
    ]);
    const maybe = await tts({ text: TEXT }, "?progressive=maybe");
    expect(maybe.status).to.equal(422);
  });
});
