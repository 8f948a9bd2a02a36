/**
 * What the speed, post-processing and reference-voice fields do to the audio a client downloads, measured with
 * the tests' own meters (F0, pauses, loudness) on the real sidecar's espeak engine through HTTP. Each test
 * compares a request with the same request (same text and seed) without the field, so what changes is the
 * field's doing. The other request fields: tts-field-effects.test.ts.
 */
import { join } from "node:path";
import { expect } from "chai";
import { durationSeconds } from "../../../src/audio/pcm.js";
import type { MonoPcm } from "../../../src/domain/audio.js";
import { sameAudio } from "../../helpers/audio-file.js";
import { apiClient, type Json } from "../../helpers/api-client.js";
import { espeakRecording, PARAGRAPH, startEspeakApp, type EspeakApp } from "../../helpers/espeak-app.js";
import { ebur128 } from "../../helpers/loudness-meter.js";
import { edgeSilenceMs, internalPausesMs, loudSamples, peak, soundSpan } from "../../helpers/pauses.js";
import { medianF0 } from "../../helpers/pitch.js";
import { harmonicTone } from "../../helpers/wav-builder.js";

/** Reference voices made by the espeak-ng program itself, outside the server: ~250 Hz and ~80 Hz. */
const REFERENCES: Record<string, string[]> = {
  bright: ["-v", "en+f3", "-p", "70"],
  deep: ["-v", "en+m1", "-p", "25"],
};
const REFERENCE_TEXT = "A voice reads this sentence for the reference, slowly and clearly, from start to end.";

describe("TTS fidelity: speed, post-processing and reference voices, measured (real sidecar, espeak engine)", function () {
  this.timeout(120_000);
  let espeak: EspeakApp;
  const referenceF0: Record<string, number> = {};

  before(async () => {
    espeak = await startEspeakApp(async (config) => {
      for (const [name, args] of Object.entries(REFERENCES)) {
        const path = join(config.paths.referenceAudio, `${name}.wav`);
        referenceF0[name] = medianF0(await espeakRecording(args, REFERENCE_TEXT, path));
      }
    });
  });
  after(() => espeak?.stop());

  const { tts, speak, audioOf, infoOf } = apiClient(() => espeak.app.baseUrl);

  it("has a pitch meter that reads known tones within 1 %", () => {
    for (const f0 of [90, 140, 230, 400]) {
      const samples = harmonicTone({ f0, seconds: 1, sampleRate: 24_000, harmonics: [0.3, 0.3, 0.2] });
      expect(medianF0({ sampleRate: 24_000, samples })).to.be.closeTo(f0, f0 * 0.01);
    }
  });

  describe("speed_factor with each speed_factor_library", () => {
    // Measured on the bright reference voice (espeak's f3 moved to ~250 Hz by WORLD): its clean periodicity
    // keeps the F0 meter reliable at 4x. On espeak's rough default male voice (~100 Hz) too few frames stay
    // voiced at 4x for a fair median, whichever the library (an ideal WORLD time-compression shows it too).
    const body = { text: "Speed changes how long this sentence lasts, not how high it sounds.", seed: 11 };
    const voiced = { ...body, reference_audio_filename: "bright" };
    for (const library of ["audiostretchy", "sox"]) {
      it(`${library}: length and sound span follow 1/speed within 3 %, median F0 stays within 5 %`, async () => {
        const base = await speak({ ...voiced, speed_factor_library: library });
        const [baseF0, baseSpan] = [medianF0(base), soundSpan(base)];
        for (const speed of [0.25, 0.5, 0.8, 1.25, 2, 4]) {
          // The sidecar pads or cuts each stretch to exactly samples / speed, so the file's length alone
          // could hide lost speech; the span from the first to the last sound could not.
          const json = await tts({ ...voiced, speed_factor: speed, speed_factor_library: library });
          const out = await audioOf(json);
          const d = durationSeconds(out) / (durationSeconds(base) / speed);
          const s = soundSpan(out) / (baseSpan / speed);
          const f = medianF0(out) / baseF0;
          expect(d, `length at ${speed}`).to.be.closeTo(1, 0.03);
          expect(s, `sound span at ${speed}`).to.be.closeTo(1, 0.03);
          expect(f, `median F0 at ${speed}`).to.be.closeTo(1, 0.05);
          expect((await infoOf(json)).speed_factor_library_used).to.equal(library);
        }
      });
    }
  });

  describe("post-processing on real multi-sentence speech", () => {
    const speech = { text: PARAGRAPH, seed: 5, smart_batch_short_sentences: false };
    let plain: Promise<MonoPcm> | undefined;
    const unprocessed = () => (plain ??= speak(speech));

    it("trim: the trailing silence becomes a 50 ms pad, every sound stays; trim_threshold_ms spares shorter silence", async () => {
      const json = await tts({ ...speech, trim: true, trim_threshold_ms: 100 });
      const [before, trimmed] = [await unprocessed(), await audioOf(json)];
      const level = 0.01 * peak(before.samples);
      const [edges, trimmedEdges] = [edgeSilenceMs(before, level), edgeSilenceMs(trimmed, level)];
      expect(loudSamples(trimmed, level)).to.equal(loudSamples(before, level));
      expect(edges.trailing).to.be.greaterThan(200);
      // Detection works in 2048-sample frames (85 ms), which may see sound up to a frame early.
      expect(trimmedEdges.trailing).to.be.within(50, 50 + 86);
      // espeak starts speaking within ~13 ms, under any threshold, so that side is left as it was.
      expect(trimmedEdges.leading).to.equal(edges.leading);
      const spared = await speak({ ...speech, trim: true, trim_threshold_ms: Math.ceil(edges.trailing) + 50 });
      expect(sameAudio(spared, before)).to.equal(true);
    });

    it("use_auto_editor: no internal pause longer than ae_margin + 10 ms, every sound kept, the original kept", async () => {
      const json = await tts({ ...speech, use_auto_editor: true, ae_margin: 0.1, keep_original_wav_ae: true });
      expect(json.output_files.map((file: Json) => file.variant ?? "main")).to.deep.equal(["main", "original"]);
      expect(json.output_files[1].filename).to.match(/_original\.wav$/);
      const [compacted, original] = [await audioOf(json, 0), await audioOf(json, 1)];
      expect(sameAudio(original, await unprocessed())).to.equal(true);
      const level = 0.06 * peak(original.samples);
      const long = internalPausesMs(original, level).filter((ms) => ms > 110);
      expect(long.length).to.be.at.least(5);
      expect(Math.max(...internalPausesMs(compacted, level))).to.be.at.most(100 + 10);
      expect(loudSamples(compacted, level)).to.equal(loudSamples(original, level));
    });

    it("ae_margin bounds the pauses left; a higher ae_threshold finds more silence to shorten", async () => {
      const compact = async (margin: number, threshold: number) => {
        const audio = await speak({ ...speech, use_auto_editor: true, ae_margin: margin, ae_threshold: threshold });
        return { audio, longest: Math.max(...internalPausesMs(audio, threshold * peak(audio.samples))) };
      };
      const [narrow, wide, strict] = [await compact(0.05, 0.06), await compact(0.25, 0.06), await compact(0.05, 0.2)];
      expect(narrow.longest).to.be.at.most(50 + 10);
      expect(wide.longest).to.be.within(200, 250 + 10);
      expect(strict.longest).to.be.at.most(50 + 10);
      expect(durationSeconds(strict.audio)).to.be.lessThan(durationSeconds(narrow.audio) - 1);
    });

    it("normalize_audio (ebu): integrated loudness within 1 LU of normalize_level, true peak within normalize_tp", async () => {
      // -16 needs loudnorm's dynamic mode (a plain gain would push the peak over -1.5 dBTP), -30 a plain gain.
      for (const [level, tp, mode] of [
        [-16, -1.5, "dynamic"],
        [-30, -2, "linear"],
      ] as const) {
        const json = await tts({
          ...speech,
          normalize_audio: true,
          normalize_level: level,
          normalize_tp: tp,
          normalize_lra: 5,
        });
        const measured = await ebur128(await audioOf(json));
        const stage = (await infoOf(json)).post_processing[0];
        expect(measured.integrated, `${level} LUFS`).to.be.closeTo(level, 1);
        expect(measured.truePeak, `${level} LUFS`).to.be.at.most(tp + 0.2);
        expect(stage).to.deep.include({ normalization_type: mode });
        // espeak's level hardly varies (its loudness range is ~1 LU), so an LRA target of 1-50 LU has nothing
        // to compress: normalize_lra reaches loudnorm (recorded here) but changes nothing measurable.
        expect(stage.target).to.deep.equal({ integrated_lufs: level, true_peak_dbtp: tp, lra_lu: 5 });
      }
    });

    it("normalize_method peak: the true peak lands on normalize_tp", async () => {
      for (const tp of [-1, -6]) {
        const json = await tts({ ...speech, normalize_audio: true, normalize_method: "peak", normalize_tp: tp });
        const measured = await ebur128(await audioOf(json));
        expect(measured.truePeak).to.be.closeTo(tp, 0.2);
      }
    });
  });

  describe("reference_audio_filename (signal-level steering)", () => {
    for (const name of Object.keys(REFERENCES)) {
      it(`moves the median F0 to the ${name} reference's, within 5 %`, async () => {
        const text = "This sentence is spoken in the voice of the reference, whatever its pitch may be.";
        const plain = await speak({ text, seed: 3 });
        const json = await tts({ text, seed: 3, reference_audio_filename: name });
        const steered = medianF0(await audioOf(json));
        expect(Math.abs(medianF0(plain) / referenceF0[name]! - 1), "the plain voice is far off").to.be.above(0.2);
        expect(steered / referenceF0[name]!).to.be.closeTo(1, 0.05);
        expect((await infoOf(json)).voice_method).to.match(/^signal-level: /);
      });
    }
  });
});
