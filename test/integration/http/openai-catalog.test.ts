/**
 * The OpenAI-compatible catalog over HTTP (fake engine): /v1/models through the official `openai` SDK, and
 * /v1/audio/voices (listing with paging, creation from a sample) through fetch, since the SDK has no voices
 * resource. Errors are OpenAI's body with the field as `param`.
 */
import { expect } from "chai";
import OpenAI from "openai";
import { FakeInferenceBackend, FAKE_SAMPLE_RATE } from "../../helpers/fake-inference-backend.js";
import { rejection } from "../../helpers/rejection.js";
import { startTestApp, type TestApp } from "../../helpers/test-app.js";
import { buildS16Wav, mono, sine } from "../../helpers/wav-builder.js";

type Json = Record<string, any>;

const OPENAI_VOICES = ["alloy", "ash", "ballad", "cedar", "coral", "echo", "fable", "marin", "nova", "onyx", "sage"];
const ALIASES = [...OPENAI_VOICES, "shimmer", "verse"];
const wav = (seconds: number) =>
  buildS16Wav(mono(FAKE_SAMPLE_RATE, sine({ freq: 180, seconds, sampleRate: FAKE_SAMPLE_RATE })));

describe("OpenAI model and voice catalog through HTTP (fake engine)", function () {
  this.timeout(20_000);
  let app: TestApp;
  let client: OpenAI;

  const start = async (backend = new FakeInferenceBackend(), yaml = "") => {
    app = await startTestApp({ backend, yaml: `uploads:\n  max_voice_mb: 1\n${yaml}` });
    client = new OpenAI({ baseURL: `${app.baseUrl}/v1`, apiKey: "test", maxRetries: 0 });
  };
  afterEach(() => app.dispose());

  const voices = async (query = "") => {
    const response = await fetch(`${app.baseUrl}/v1/audio/voices${query}`);
    return { status: response.status, headers: response.headers, body: (await response.json()) as Json };
  };
  async function createVoice(fields: Record<string, string>, sample: Buffer | string | null = wav(4)) {
    const form = new FormData();
    if (sample !== null) {
      form.set("audio_sample", new Blob([typeof sample === "string" ? sample : new Uint8Array(sample)]), "sample.bin");
    }
    for (const [key, value] of Object.entries(fields)) form.set(key, value);
    const response = await fetch(`${app.baseUrl}/v1/audio/voices`, { method: "POST", body: form });
    return { status: response.status, headers: response.headers, body: (await response.json()) as Json };
  }

  describe("models", () => {
    it("lists OpenAI's speech names, the engine and the Whisper models through the SDK", async () => {
      await start();
      const models: OpenAI.Models.Model[] = [];
      for await (const model of client.models.list()) models.push(model);
      expect(models.map((m) => m.id)).to.deep.equal([
        "tts-1",
        "tts-1-hd",
        "gpt-4o-mini-tts",
        "gpt-4o-mini-tts-2025-12-15",
        "espeak",
        "whisper-1",
        "gpt-4o-transcribe",
        "gpt-4o-mini-transcribe",
        "base",
        "tiny.en",
      ]);
      for (const model of models) {
        expect(model.object).to.equal("model");
        expect(model.created)
          .to.be.a("number")
          .within(Date.now() / 1000 - 60, Date.now() / 1000);
        expect(model.owned_by).to.equal(model.id === "espeak" || model.id.includes("tts") ? "espeak-ng" : "openai");
      }
    });

    it("retrieves one model, and answers an unknown one with the SDK's NotFoundError and our request id", async () => {
      await start();
      const created = (await client.models.retrieve("tts-1")).created;
      expect(await client.models.retrieve("tts-1")).to.deep.equal({
        id: "tts-1",
        object: "model",
        created,
        owned_by: "espeak-ng",
        kind: "tts",
        engine: "espeak",
        alias_of: "espeak",
      });
      const error = await rejection<InstanceType<typeof OpenAI.NotFoundError>>(
        client.models.retrieve("chatterbox-turbo", { headers: { "X-Request-ID": "req-catalog-1" } }),
      );
      expect(error).to.be.instanceOf(OpenAI.NotFoundError);
      expect(error.requestID).to.equal("req-catalog-1");
      expect(error.error).to.deep.equal({
        message: "Model 'chatterbox-turbo' does not exist on this server; GET /v1/models lists the 10 it serves",
        type: "invalid_request_error",
        param: "model",
        code: "model_not_found",
      });
    });

    it("lists no transcription models while speech recognition is not installed", async () => {
      await start(new FakeInferenceBackend({ stt: { available: false } }));
      const page = await client.models.list();
      expect(page.data.map((m) => m.id)).to.deep.equal([
        "tts-1",
        "tts-1-hd",
        "gpt-4o-mini-tts",
        "gpt-4o-mini-tts-2025-12-15",
        "espeak",
      ]);
      expect((await rejection(client.models.retrieve("whisper-1"))) instanceof OpenAI.NotFoundError).to.equal(true);
    });
  });

  describe("voices", () => {
    it("lists the configured aliases in OpenAI's list shape, saying what each stands for", async () => {
      await start(undefined, "openai:\n  voice_aliases:\n    echo: narrators/anna.wav\n");
      const { status, body } = await voices();
      expect(status).to.equal(200);
      expect(body).to.include({ object: "list", first_id: "alloy", last_id: "verse", has_more: false });
      expect(body.data.map((v: Json) => v.id)).to.deep.equal(ALIASES);
      expect(body.data[0]).to.deep.equal({
        object: "audio.voice",
        id: "alloy",
        name: "alloy",
        created_at: body.data[0].created_at,
        source: "alias",
        alias_of: null,
      });
      const echo = body.data.find((v: Json) => v.id === "echo");
      expect(echo).to.include({ alias_of: "narrators/anna.wav" });
      expect(echo.warning).to.include("requests fail until openai.voice_aliases is fixed");

      // Once the voice exists, the alias reaches it.
      expect((await createVoice({ name: "anna", folder: "narrators" })).status).to.equal(200);
      expect((await voices()).body.data.find((v: Json) => v.id === "echo")).to.not.have.property("warning");
      expect(app.services.voiceResolver.resolve("echo").referenceAudioFilename).to.equal("narrators/anna.wav");
    });

    it("creates a library voice that resolves by id and name and shows in both listings", async () => {
      await start();
      const created = await createVoice({
        name: "Anna Smith",
        consent: "cons_1234",
        folder: "narrators",
        description: "warm and slow",
        tags: "x",
      });
      expect(created.status).to.equal(200);
      const warnings = [
        "the field 'tags' is not supported by this endpoint and had no effect",
        "consent 'cons_1234' was not checked: this server keeps no consent records",
      ];
      expect(created.body).to.deep.equal({
        object: "audio.voice",
        id: "narrators/Anna Smith.wav",
        name: "Anna Smith",
        created_at: created.body.created_at,
        source: "library",
        folder: "narrators",
        description: "warm and slow",
        tags: [],
        duration_seconds: created.body.duration_seconds,
        warnings,
      });
      expect(created.body.created_at).to.be.within(Date.now() / 1000 - 60, Date.now() / 1000);
      expect(created.body.duration_seconds).to.be.closeTo(4, 0.01);
      expect(JSON.parse(created.headers.get("x-warnings")!)).to.deep.equal(warnings);

      const listed = await voices();
      expect(listed.body.data.map((v: Json) => v.id)).to.deep.equal(["narrators/Anna Smith.wav", ...ALIASES]);
      expect(listed.body.first_id).to.equal("narrators/Anna Smith.wav");
      const library = (await (await fetch(`${app.baseUrl}/api/v1/voices`)).json()) as Json;
      expect(library.voices.map((v: Json) => [v.url, v.name])).to.deep.equal([
        ["narrators/Anna Smith.wav", "Anna Smith"],
      ]);
      const expected = {
        id: "narrators/Anna Smith.wav",
        referenceAudioFilename: "narrators/Anna Smith.wav",
        via: "library",
      };
      expect(app.services.voiceResolver.resolve("Anna Smith")).to.deep.equal(expected);
      expect(app.services.voiceResolver.resolve({ id: "narrators/Anna Smith.wav" })).to.deep.equal(expected);
    });

    it("pages library voices, then aliases, by `after` and `limit`", async () => {
      await start();
      for (const name of ["one", "two", "three"]) expect((await createVoice({ name })).status).to.equal(200);
      const first = await voices("?limit=2");
      expect(first.body.data.map((v: Json) => v.id)).to.deep.equal(["one.wav", "two.wav"]);
      expect(first.body).to.include({ first_id: "one.wav", last_id: "two.wav", has_more: true });
      const second = await voices("?limit=2&after=two.wav");
      expect(second.body.data.map((v: Json) => v.id)).to.deep.equal(["three.wav", "alloy"]);
      const last = await voices("?after=sage");
      expect(last.body).to.include({ first_id: "shimmer", last_id: "verse", has_more: false });
      const empty = await voices("?after=verse");
      expect(empty.body).to.deep.equal({ object: "list", data: [], first_id: null, last_id: null, has_more: false });
    });

    it("refuses bad paging with a 400 naming the parameter", async () => {
      await start();
      for (const [query, param] of [
        ["?limit=0", "limit"],
        ["?limit=101", "limit"],
        ["?limit=ten", "limit"],
        ["?after=nobody", "after"],
      ]) {
        const { status, body } = await voices(query);
        expect([status, body.error.param, body.error.type], query).to.deep.equal([400, param, "invalid_request_error"]);
      }
      const unknown = await voices("?order=desc");
      expect(unknown.body.warnings).to.deep.equal([
        "the query parameter 'order' is not supported by this endpoint and had no effect",
      ]);
    });

    it("answers a taken name with a 409 and bad forms with 400/413/415, each naming the field", async () => {
      await start();
      expect((await createVoice({ name: "Anna" })).status).to.equal(200);
      const duplicate = await createVoice({ name: "Anna", folder: "elsewhere" });
      expect(duplicate.status).to.equal(409);
      expect(duplicate.headers.get("x-should-retry")).to.equal("false");
      expect(duplicate.body).to.deep.equal({
        error: {
          message: "name: the name 'Anna' is taken: it names the voice 'Anna.wav'; choose another name",
          type: "invalid_request_error",
          param: "name",
          code: "conflict",
        },
      });
      expect((await createVoice({ name: "alloy" })).body.error.message).to.include(
        "'alloy' is a voice alias of this server (openai.voice_aliases)",
      );
      const nothing = await createVoice({}, null);
      expect([nothing.status, nothing.body.error.param]).to.deep.equal([400, "name"]);
      expect(nothing.body.error.message).to.equal("name: is required (and 1 more)");
      const noSample = await createVoice({ name: "Bob" }, null);
      expect([noSample.status, noSample.body.error.param]).to.deep.equal([400, "audio_sample"]);
      const notAudio = await createVoice({ name: "Bob" }, "just some text, not audio");
      expect([notAudio.status, notAudio.body.error.param]).to.deep.equal([415, "audio_sample"]);
      const empty = await createVoice({ name: "Bob" }, "");
      expect([empty.status, empty.body.error.param, empty.body.error.code]).to.deep.equal([
        400,
        "audio_sample",
        "empty_file",
      ]);
      const tooLarge = await createVoice({ name: "Bob" }, wav(30));
      expect([tooLarge.status, tooLarge.body.error.type]).to.deep.equal([413, "invalid_request_error"]);
      expect((await voices()).body.data.map((v: Json) => v.id)).to.deep.equal(["Anna.wav", ...ALIASES]);
    });
  });
});
