/**
 * The upload cap of POST /v1/audio/transcriptions (config stt.max_upload_mb) through HTTP with the fake
 * engine: a larger file is refused with 413 in OpenAI's error body before any recognition, and the request's
 * scratch folder is gone afterwards; a file under the cap is transcribed.
 */
import { readdir } from "node:fs/promises";
import { expect } from "chai";
import { FakeInferenceBackend, FAKE_SAMPLE_RATE } from "../../helpers/fake-inference-backend.js";
import { startTestApp, type TestApp } from "../../helpers/test-app.js";
import { buildS16Wav, mono, sine } from "../../helpers/wav-builder.js";

const wav = (seconds: number) =>
  buildS16Wav(mono(FAKE_SAMPLE_RATE, sine({ freq: 220, seconds, sampleRate: FAKE_SAMPLE_RATE })));

describe("POST /v1/audio/transcriptions upload cap (fake engine)", function () {
  this.timeout(20_000);
  let app: TestApp;
  let backend: FakeInferenceBackend;

  before(async () => {
    backend = new FakeInferenceBackend();
    app = await startTestApp({ backend, yaml: "stt:\n  max_upload_mb: 0.5\n" });
  });
  after(() => app.dispose());

  function transcribe(file: Buffer) {
    const form = new FormData();
    form.set("file", new Blob([new Uint8Array(file)]), "speech.wav");
    form.set("model", "whisper-1");
    return fetch(`${app.baseUrl}/v1/audio/transcriptions`, { method: "POST", body: form });
  }

  it("refuses a file over stt.max_upload_mb with 413 in OpenAI's shape and leaves nothing in scratch", async () => {
    const big = wav(12);
    expect(big.length).to.be.greaterThan(512 * 1024);
    const response = await transcribe(big);
    expect(response.status).to.equal(413);
    expect(response.headers.get("x-should-retry")).to.equal("false");
    expect(await response.json()).to.deep.equal({
      error: {
        message: "The upload is larger than the limit of 0.5 MiB, or sends more than one file",
        type: "invalid_request_error",
        param: null,
        code: "payload_too_large",
      },
    });
    expect(backend.transcribeCalls).to.have.length(0);
    expect(await readdir(app.config.paths.temp)).to.deep.equal([]);
  });

  it("transcribes a file under the cap", async () => {
    const response = await transcribe(wav(2));
    expect(response.status, await response.clone().text()).to.equal(200);
    expect(await response.json()).to.have.property("text", "");
    expect(backend.transcribeCalls).to.have.length(1);
    expect(await readdir(app.config.paths.temp)).to.deep.equal([]);
  });
});
