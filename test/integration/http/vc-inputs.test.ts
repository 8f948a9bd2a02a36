/**
 * Uploads to POST /api/v1/vc_input through HTTP (fake engine): the size limit refuses a large file with 413
 * and leaves no partial file anywhere, and concurrent uploads of one name let exactly one win, whose bytes
 * are the ones kept. The upload code is shared with voices; these prove the VC input route is wired to it.
 */
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { expect } from "chai";
import { FakeInferenceBackend, FAKE_SAMPLE_RATE } from "../../helpers/fake-inference-backend.js";
import { startTestApp, type TestApp } from "../../helpers/test-app.js";
import { buildS16Wav, mono, sine } from "../../helpers/wav-builder.js";

const wav = (seconds: number) =>
  buildS16Wav(mono(FAKE_SAMPLE_RATE, sine({ freq: 220, seconds, sampleRate: FAKE_SAMPLE_RATE })));

describe("VC input uploads through HTTP (fake engine)", function () {
  this.timeout(20_000);
  let app: TestApp;

  beforeEach(async () => {
    app = await startTestApp({ backend: new FakeInferenceBackend(), yaml: "uploads:\n  max_vc_input_mb: 1\n" });
  });
  afterEach(() => app.dispose());

  function upload(file: Buffer, name = "line.wav") {
    const form = new FormData();
    form.set("vc_input_file", new Blob([new Uint8Array(file)]), name);
    form.set("text", "a line to convert");
    return fetch(`${app.baseUrl}/api/v1/vc_input`, { method: "POST", body: form });
  }

  it("refuses a real WAV over max_vc_input_mb with 413 and leaves no partial file", async () => {
    const big = wav(30);
    expect(big.length).to.be.greaterThan(1024 * 1024);
    const response = await upload(big);
    expect(response.status).to.equal(413);
    expect(await response.json()).to.deep.include({
      error_code: "PAYLOAD_TOO_LARGE",
      error: "The upload is larger than the limit of 1 MiB, or sends more than one file",
    });
    expect(await readdir(app.config.paths.vcInputs)).to.deep.equal([]);
    expect(await readdir(app.config.paths.temp)).to.deep.equal([]);
    expect((await upload(wav(5))).status).to.equal(200);
  });

  it("lets exactly one of several concurrent uploads of one name win, and keeps the winner's bytes", async () => {
    const files = [3, 4, 5, 6, 7, 8].map(wav);
    const responses = await Promise.all(files.map((file) => upload(file)));
    const statuses = responses.map((response) => response.status);
    expect(statuses.filter((status) => status === 200)).to.have.length(1);
    expect(statuses.filter((status) => status === 409)).to.have.length(5);
    const winner = files[statuses.indexOf(200)]!;
    expect((await readdir(app.config.paths.vcInputs)).sort()).to.deep.equal(["line.wav", "line.wav.json"]);
    expect((await readFile(join(app.config.paths.vcInputs, "line.wav"))).equals(winner)).to.equal(true);
    const listing = (await (await fetch(`${app.baseUrl}/api/v1/vc_inputs`)).json()) as Record<string, any>;
    expect(listing.files).to.have.length(1);
    expect(listing.files[0].file_size_bytes).to.equal(winner.length);
  });
});
