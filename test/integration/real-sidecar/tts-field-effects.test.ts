/**
 * What the generation, text, engine and export fields of a TTS request do to the audio a client downloads,
 * measured on the real sidecar's espeak engine through HTTP: each test compares a request with the same request
 * (same text and seed) without the field. Fields espeak cannot honour are shown to leave the audio unchanged,
 * and the server to say so. Speed, post-processing and reference voices: tts-fidelity.test.ts.
 */
import { expect } from "chai";
import { durationSeconds } from "../../../src/audio/pcm.js";
import { sameAudio } from "../../helpers/audio-file.js";
import { apiClient, type Json } from "../../helpers/api-client.js";
import { PARAGRAPH, startEspeakApp, type EspeakApp } from "../../helpers/espeak-app.js";
import { internalPausesMs, peak, soundSpan } from "../../helpers/pauses.js";
import { f0RangeSemitones, medianF0 } from "../../helpers/pitch.js";

/** (max − min) / mean. */
function spread(values: number[]): number {
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  return (Math.max(...values) - Math.min(...values)) / mean;
}

describe("TTS field effects, measured (real sidecar, espeak engine)", function () {
  this.timeout(120_000);
  let espeak: EspeakApp;

  before(async () => {
    espeak = await startEspeakApp();
  });
  after(() => espeak?.stop());

  const { tts, speak, audioOf, infoOf, bytesOf } = apiClient(() => espeak.app.baseUrl);

  describe("generation fields", () => {
    const line = { text: "Every take of this line is a little different from the last one." };

    it("seed: the same seed gives the same samples, another seed a take of another length and pitch", async () => {
      const [a, b, c] = [
        await speak({ ...line, seed: 21 }),
        await speak({ ...line, seed: 21 }),
        await speak({ ...line, seed: 22 }),
      ];
      expect(sameAudio(a, b)).to.equal(true);
      expect(Math.abs(durationSeconds(c) / durationSeconds(a) - 1)).to.be.above(0.01);
      expect(Math.abs(medianF0(c) / medianF0(a) - 1)).to.be.above(0.01);
    });

    it("temperature: takes of five seeds vary over 3x more in length and pitch at 2.0 than at 0.1", async () => {
      const variation = async (temperature: number) => {
        const takes = [];
        for (const seed of [1, 2, 3, 4, 5]) takes.push(await speak({ ...line, seed, temperature }));
        return { length: spread(takes.map(durationSeconds)), pitch: spread(takes.map((take) => medianF0(take))) };
      };
      const [cool, hot] = [await variation(0.1), await variation(2)];
      expect(hot.length).to.be.above(3 * cool.length);
      expect(hot.pitch).to.be.above(3 * cool.pitch);
    });

    it("exaggeration: widens the intonation (the 5-95 % F0 range grows by over 2 semitones per step)", async () => {
      const ranges: number[] = [];
      for (const exaggeration of [0.1, 0.5, 1.5]) {
        ranges.push(f0RangeSemitones(await speak({ ...line, seed: 8, exaggeration })));
      }
      expect(ranges[1]! - ranges[0]!).to.be.above(2);
      expect(ranges[2]! - ranges[1]!).to.be.above(2);
    });

    it("language: another language's voice reads the same text (numbers in its own words)", async () => {
      const text = "Es wurde 1997 gebaut und 2012 erneuert.";
      const [en, de] = [await tts({ text, seed: 4, language: "en" }), await tts({ text, seed: 4, language: "de" })];
      const [enAudio, deAudio] = [await audioOf(en), await audioOf(de)];
      expect(durationSeconds(deAudio) / durationSeconds(enAudio)).to.be.above(1.1);
    });
  });

  describe("text fields", () => {
    const cases = [
      // espeak spells capitals out ("U S"), but reads "us" as a word.
      { field: "to_lowercase", text: "IT WAS THE US ARMY." },
      // espeak reads "e.g." as "for example", and the spaced letters as "e g".
      { field: "fix_dot_letters", text: "See e.g. this." },
      { field: "remove_reference_numbers", text: "The result [12] is clear (3)." },
    ];
    for (const { field, text } of cases) {
      it(`${field}: changes what is spoken (on: shorter speech)`, async () => {
        const on = await speak({ text, seed: 2, [field]: true });
        const off = await speak({ text, seed: 2, [field]: false });
        expect(soundSpan(off) - soundSpan(on)).to.be.above(0.25);
      });
    }

    it("normalize_spacing: a blank line breaks the sentence, with a pause, only when spacing is kept", async () => {
      const text = "the first line has no full stop\n\nthe second line follows it";
      const pauses = async (normalize_spacing: boolean) => {
        const json = await tts({ text, seed: 2, normalize_spacing, smart_batch_short_sentences: false });
        const audio = await audioOf(json);
        return {
          chunks: (await infoOf(json)).chunks_processed,
          longest: Math.max(...internalPausesMs(audio, 0.01 * peak(audio.samples))),
        };
      };
      const [joined, kept] = [await pauses(true), await pauses(false)];
      expect(joined).to.deep.include({ chunks: 1 });
      expect(kept).to.deep.include({ chunks: 2 });
      expect(joined.longest).to.be.below(150);
      expect(kept.longest).to.be.above(250);
    });

    it("enable_batching and smart_batch_short_sentences: the segments spoken, and the pauses between them", async () => {
      const run = async (fields: object) => {
        const json = await tts({ text: PARAGRAPH, seed: 2, ...fields });
        return { chunks: (await infoOf(json)).chunks_processed, seconds: durationSeconds(await audioOf(json)) };
      };
      const [smart, greedy, single] = [
        await run({}),
        await run({ enable_batching: true }),
        await run({ smart_batch_short_sentences: false }),
      ];
      expect([smart.chunks, greedy.chunks, single.chunks]).to.deep.equal([2, 1, 6]);
      // Each segment boundary adds espeak's trailing and leading silence.
      expect(single.seconds - greedy.seconds).to.be.above(1);
    });

    it("sound_words_field: a removed word is not spoken", async () => {
      const text = "Um, the results are in, and um, they look good.";
      const plain = await speak({ text, seed: 2 });
      const json = await tts({ text, seed: 2, sound_words_field: "um" });
      expect(soundSpan(plain) - soundSpan(await audioOf(json))).to.be.above(0.3);
      expect((await infoOf(json)).sound_word_replacements).to.deep.equal([
        { pattern: "um", replacement: "", count: 2 },
      ]);
    });
  });

  describe("fields espeak cannot honour: the audio is unchanged and the server says so", () => {
    const line = { text: "Nothing about this line should change.", seed: 9 };

    it("cfg_weight and num_candidates_per_chunk warn; max_attempts_per_candidate has nothing to retry", async () => {
      const plain = await tts(line);
      expect(plain.warnings).to.deep.equal([]);
      const cases: Array<[object, string[]]> = [
        [{ cfg_weight: 0.2 }, ["the espeak engine does not use cfg_weight; it has no effect"]],
        [
          { num_candidates_per_chunk: 4 },
          [
            "num_candidates_per_chunk=4: without a validator one candidate per chunk is generated, since extra candidates could never be chosen",
          ],
        ],
        [{ max_attempts_per_candidate: 1 }, []],
      ];
      for (const [field, warnings] of cases) {
        const json = await tts({ ...line, ...field });
        expect(json.warnings, JSON.stringify(field)).to.deep.equal(warnings);
        expect(sameAudio(await audioOf(json), await audioOf(plain)), JSON.stringify(field)).to.equal(true);
      }
    });

    it("disable_watermark: espeak never watermarks, so asking for a watermark is reported", async () => {
      const json = await tts({ ...line, disable_watermark: false });
      expect(json.warnings).to.deep.equal([
        "the espeak engine does not embed a watermark; disable_watermark=false could not be honoured",
      ]);
      expect((await infoOf(json)).watermarked).to.equal(false);
    });
  });

  it("export_formats and wav_sample_format: every format carries the same speech", async () => {
    const formats = ["wav", "mp3", "flac", "opus", "aac", "pcm"];
    const json = await tts({
      text: "Every format carries the same words.",
      seed: 6,
      export_formats: formats,
      wav_sample_format: "s16",
    });
    expect(json.output_files.map((file: Json) => file.format)).to.deep.equal(formats);
    const wav = await audioOf(json);
    for (const [index, file] of (json.output_files as Json[]).entries()) {
      if (file.format === "pcm") continue;
      const audio = await audioOf(json, index);
      expect(durationSeconds(audio), file.format).to.be.closeTo(durationSeconds(wav), 0.05);
      expect(medianF0(audio) / medianF0(wav), file.format).to.be.closeTo(1, 0.01);
    }
    // Raw 16-bit samples are the 16-bit WAV's samples, without a header.
    const raw = await bytesOf(json.output_files[5].url);
    const samples = Float32Array.from({ length: raw.length / 2 }, (_, i) => raw.readInt16LE(2 * i) / 32768);
    expect(sameAudio({ sampleRate: wav.sampleRate, samples }, wav)).to.equal(true);
  });
});
