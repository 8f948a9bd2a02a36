/**
 * The official OpenAI Python SDK against /v1 (fake engine), through test/python/openai_speech_client.py in the
 * sidecar's venv (where `npm install` puts it); skipped, with the reason in the test's title, when that package
 * (or the venv) is missing.
 */
import { join } from "node:path";
import { expect } from "chai";
import { execa } from "execa";
import { PROJECT_ROOT } from "../../../src/project-root.js";
import { FakeInferenceBackend } from "../../helpers/fake-inference-backend.js";
import { startTestApp, type TestApp } from "../../helpers/test-app.js";

const PYTHON = join(PROJECT_ROOT, "sidecar", ".venv", "bin", "python");
const SCRIPT = join(PROJECT_ROOT, "test", "python", "openai_speech_client.py");
const SDK_MISSING = 3;
/** The most the SDK's HTTP client (httpcore) reads from the socket at once: a longer body arrives in several chunks. */
const SDK_READ_BYTES = 64 * 1024;

describe("OpenAI Python SDK against /v1 (fake engine)", () => {
  let app: TestApp;
  before(async () => {
    app = await startTestApp({ backend: new FakeInferenceBackend() });
  });
  after(() => app.dispose());

  it("creates speech whole, streamed and as SSE, lists models, and raises the matching error classes", async function () {
    const run = await execa(PYTHON, [SCRIPT, `${app.baseUrl}/v1`], { reject: false });
    if (run.exitCode === SDK_MISSING || run.code === "ENOENT") {
      const reason = run.exitCode === SDK_MISSING ? run.stderr.trim() : `no Python at ${PYTHON}`;
      // Mocha shows a skipped test by its title only: the title says why.
      this.test!.title += ` (skipped: ${reason})`;
      this.skip();
    }
    expect(run.exitCode, run.stderr).to.equal(0);
    const facts = JSON.parse(run.stdout) as Record<string, any>;
    expect(facts.pcm_bytes % 2).to.equal(0);
    expect(facts.pcm_bytes, "a text long enough that its speech cannot come in one read").to.be.greaterThan(
      2 * SDK_READ_BYTES,
    );
    expect(facts.streamed_chunks).to.be.greaterThan(1);
    expect(facts.streamed_equals_whole).to.equal(true);
    expect(facts.sse_types.at(-1)).to.equal("speech.audio.done");
    expect(facts.sse_types.slice(0, -1)).to.satisfy(
      (types: string[]) => types.length > 0 && types.every((type) => type === "speech.audio.delta"),
    );
    expect(facts.voice_object).to.be.greaterThan(0);
    expect(facts.models).to.include.members(["tts-1", "tts-1-hd", "gpt-4o-mini-tts", "espeak", "whisper-1"]);
    expect(facts.unknown_voice).to.include({ class: "NotFoundError", status: 404, param: "voice" });
    expect(facts.unknown_voice.request_id).to.match(/^[0-9a-f-]{36}$/);
    expect(facts.too_long).to.include({ class: "BadRequestError", status: 400, param: "input", should_retry: "false" });
  });
});
