/**
 * OpenAI's speech-recognition routes driven by the official `openai` SDK against the app with the real sidecar:
 * espeak speech made by our own TTS route, recognised by the offline Whisper packs `npm install` puts in
 * models/whisper (tiny.en and base). Word error rates are printed, and held to the 5 % the issue asks for.
 */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { expect } from "chai";
import OpenAI, { toFile } from "openai";
import { wordErrorRate } from "../../../src/text/transcript-score.js";
import { apiClient } from "../../helpers/api-client.js";
import { startEspeakApp, type EspeakApp } from "../../helpers/espeak-app.js";

/** Twenty everyday sentences (230 words) with numbers, names and punctuation. */
const SENTENCES = [
  "The train to the coast leaves at nine in the morning.",
  "Please remember to water the plants while I am away.",
  "Our neighbor painted his fence a bright shade of green.",
  "The museum opens late on Thursdays during the summer.",
  "She bought three apples, two pears and a loaf of bread.",
  "The meeting was moved to the small room on the second floor.",
  "A strong wind blew the leaves across the empty square.",
  "He reads the newspaper every evening after dinner.",
  "The children built a tall tower out of wooden blocks.",
  "Turn left at the bakery and walk until you see the river.",
  "The doctor said the results would be ready by Friday.",
  "We watched the boats return to the harbor at sunset.",
  "The library has a quiet corner for people who want to study.",
  "My sister plays the piano better than anyone I know.",
  "The price of coffee has gone up again this year.",
  "They planted a row of young trees along the road.",
  "The old clock in the hall stopped working last winter.",
  "Nobody expected the football match to end in a draw.",
  "The recipe needs two eggs, a cup of milk and some flour.",
  "After the storm, the sky turned clear and very blue.",
];

describe("/v1/audio/transcriptions and /translations through the OpenAI SDK (real sidecar, Whisper)", function () {
  this.timeout(300_000);
  let espeak: EspeakApp;
  let sdk: OpenAI;
  let allSpeech: Buffer;
  let shortSpeech: Buffer;
  const shortText = SENTENCES.slice(0, 3).join(" ");

  /** Our own TTS route speaks the text (espeak engine, WAV). */
  async function speak(text: string): Promise<Buffer> {
    const api = apiClient(() => espeak.app.baseUrl);
    const json = await api.tts({ text, bypass_whisper_checking: true, seed: 3 });
    return api.bytesOf(json.output_files[0].url);
  }

  before(async () => {
    espeak = await startEspeakApp();
    sdk = new OpenAI({ baseURL: `${espeak.app.baseUrl}/v1`, apiKey: "unused", maxRetries: 0 });
    allSpeech = await speak(SENTENCES.join(" "));
    shortSpeech = await speak(shortText);
  });
  after(() => espeak?.stop());

  const file = (bytes: Buffer, name = "speech.wav") => toFile(bytes, name, { type: "audio/wav" });

  it("hears 20 TTS sentences with at most 5 % word errors (whisper-1 = the largest installed model)", async function () {
    const { data, response } = await sdk.audio.transcriptions
      .create({ file: await file(allSpeech), model: "whisper-1", language: "en" })
      .withResponse();
    const wer = wordErrorRate(SENTENCES.join(" "), data.text);
    // The measured figure goes into the reported title: the issue asks for it to be printed.
    this.test!.title += `: WER ${(wer * 100).toFixed(1)} % with ${response.headers.get("x-transcription-model")}`;
    expect(response.headers.get("x-transcription-model")).to.equal("base");
    expect(wer).to.be.at.most(0.05);
  });

  it("answers in every response format with the same right words", async () => {
    const ask = async (response_format: "text" | "srt" | "vtt"): Promise<string> =>
      sdk.audio.transcriptions.create({
        file: await file(allSpeech),
        model: "whisper-1",
        language: "en",
        response_format,
      });
    const text = await ask("text");
    const srt = await ask("srt");
    const vtt = await ask("vtt");
    const cueText = (subtitles: string) =>
      subtitles
        .split("\n")
        .filter((line) => line !== "WEBVTT" && !/^\d+$/.test(line) && !line.includes("-->"))
        .join(" ");
    expect(srt).to.match(/^1\n\d\d:\d\d:\d\d,\d{3} --> \d\d:\d\d:\d\d,\d{3}\n/);
    expect(vtt).to.match(/^WEBVTT\n\n\d\d:\d\d:\d\d\.\d{3} --> /);
    for (const [format, said] of [
      ["text", text],
      ["srt", cueText(srt)],
      ["vtt", cueText(vtt)],
    ] as const) {
      expect(wordErrorRate(SENTENCES.join(" "), said), `${format}: ${said}`).to.be.at.most(0.05);
    }
  });

  it("gives verbose_json with segments and word timings inside the audio", async () => {
    const result = await sdk.audio.transcriptions.create({
      file: await file(allSpeech),
      model: "whisper-1",
      language: "en",
      response_format: "verbose_json",
      timestamp_granularities: ["word", "segment"],
    });
    expect(result.language).to.equal("english");
    expect(wordErrorRate(SENTENCES.join(" "), result.text)).to.be.at.most(0.05);
    const words = result.words ?? [];
    const spoken = SENTENCES.join(" ").split(" ").length;
    expect(words.length).to.be.within(spoken * 0.95, spoken * 1.05);
    for (const [i, word] of words.entries()) {
      expect(word.end).to.be.at.least(word.start);
      expect(word.end).to.be.at.most(result.duration + 0.01);
      if (i > 0) expect(word.start).to.be.at.least(words[i - 1]!.start);
    }
    const segments = result.segments ?? [];
    expect(segments.length).to.be.greaterThan(0);
    expect(segments[0]).to.include.keys(
      "id",
      "seek",
      "start",
      "end",
      "text",
      "tokens",
      "avg_logprob",
      "no_speech_prob",
    );
  });

  it("streams deltas as segments are recognised, then the whole text", async () => {
    const stream = await sdk.audio.transcriptions.create({
      file: await file(allSpeech),
      model: "whisper-1",
      stream: true,
    });
    const deltas: string[] = [];
    let done = "";
    for await (const event of stream) {
      if (event.type === "transcript.text.delta") deltas.push(event.delta);
      if (event.type === "transcript.text.done") done = event.text;
    }
    expect(deltas.length).to.be.greaterThan(1);
    expect(deltas.join("").trim()).to.equal(done);
    expect(wordErrorRate(SENTENCES.join(" "), done)).to.be.at.most(0.05);
  });

  it("translates speech to English text, an English-only model replaced by a multilingual one", async () => {
    const { data, response } = await sdk.audio.translations
      .create({ file: await file(shortSpeech), model: "tiny.en", response_format: "text" })
      .withResponse();
    expect(response.headers.get("x-transcription-model")).to.equal("base");
    expect(wordErrorRate(shortText, data as unknown as string)).to.be.at.most(0.1);
  });

  it("falls back from a model that is not installed to the nearest one, and says so", async () => {
    const { data, response } = await sdk.audio.transcriptions
      .create({ file: await file(shortSpeech), model: "medium", response_format: "json" })
      .withResponse();
    expect(response.headers.get("x-transcription-model")).to.equal("base");
    expect(JSON.parse(response.headers.get("x-warnings") ?? "[]").join(" ")).to.match(/medium.*base/);
    expect((data as unknown as { warnings: string[] }).warnings.join(" ")).to.match(/medium/);
  });

  it("refuses bad requests with OpenAI's error body, the field in `param`, and no retry", async () => {
    const caught = async (promise: Promise<unknown>) =>
      promise.then(
        () => undefined,
        (error: unknown) => error,
      );
    const badFormat = await caught(
      sdk.audio.transcriptions.create({
        file: await file(shortSpeech),
        model: "tiny.en",
        response_format: "xml" as "json",
      }),
    );
    expect(badFormat).to.be.instanceOf(OpenAI.BadRequestError);
    expect(badFormat).to.deep.include({ status: 400, param: "response_format", code: "validation_error" });
    const notAudio = await caught(
      sdk.audio.transcriptions.create({
        file: await toFile(Buffer.from("hello, not audio"), "a.wav"),
        model: "tiny.en",
      }),
    );
    expect(notAudio).to.be.instanceOf(OpenAI.APIError);
    expect(notAudio).to.deep.include({ status: 415, code: "unsupported_media_type" });
    const unknownModel = await caught(
      sdk.audio.transcriptions.create({ file: await file(shortSpeech), model: "no-such-model" }),
    );
    expect(unknownModel).to.be.instanceOf(OpenAI.BadRequestError);
    const raw = await fetch(`${espeak.app.baseUrl}/v1/audio/transcriptions`, { method: "POST" });
    expect(raw.status).to.equal(415);
    expect(raw.headers.get("x-request-id")).to.be.a("string");
    expect(raw.headers.get("x-should-retry")).to.equal("false");
    expect(Object.keys(((await raw.json()) as { error: object }).error)).to.deep.equal([
      "message",
      "type",
      "param",
      "code",
    ]);
  });

  it("fills in a VC input's text by speech recognition when none is sent", async () => {
    const form = new FormData();
    form.append("vc_input_file", new Blob([new Uint8Array(shortSpeech)]), "take1.wav");
    const response = await fetch(`${espeak.app.baseUrl}/api/v1/vc_input`, { method: "POST", body: form });
    const body = (await response.json()) as { metadata: { text: string; text_source: string }; warnings: string[] };
    expect(response.status).to.equal(200);
    expect(body.metadata.text_source).to.equal("speech_recognition");
    expect(wordErrorRate(shortText, body.metadata.text)).to.be.at.most(0.1);
    expect(body.warnings.join(" ")).to.match(/transcribed by speech recognition/);
    const path = join(espeak.app.config.paths.vcInputs, "take1.wav.json");
    expect(JSON.parse(await readFile(path, "utf8"))).to.include({ text_source: "speech_recognition" });
  });
});
