import { expect } from "chai";
import {
  concatNameParts,
  createOutputNamer,
  formatPythonFloat,
  formatPythonInt,
  formatTimestamp,
  outputStem,
  systemClock,
  ttsNameParts,
  vcNameParts,
  type Clock,
  type ConcatNameParams,
  type Timestamp,
  type TtsNameParams,
} from "../../../src/services/output-name.js";

/** 2025-06-29 15:12:13 local time, as the spec's examples. */
function at(microseconds: number): Timestamp {
  return { date: new Date(2025, 5, 29, 15, 12, 13), microseconds };
}

/** A clock that returns the given instants in turn. */
function fixedClock(...instants: Timestamp[]): Clock {
  let i = 0;
  return () => instants[Math.min(i++, instants.length - 1)]!;
}

const TTS_DEFAULTS: TtsNameParams = {
  temperature: 0.75, requestedSeed: 0, exaggeration: 0.5, speedFactor: 1.0, trim: false, trimThresholdMs: 200,
};
const CONCAT_DEFAULTS: ConcatNameParams = {
  fileCount: 2, silenceCount: 0, pauseDurationMs: 0, pauseVariationMs: 0, crossfadeMs: 0,
  normalizeLevels: true, trim: false, trimThresholdMs: 200,
};

describe("services/output-name", () => {
  describe("formatPythonFloat", () => {
    const cases: Array<[number, string]> = [
      [1, "1.0"], [0.75, "0.75"], [1.5, "1.5"], [0.1 + 0.2, "0.30000000000000004"], [1e-5, "1e-05"],
      [1e16, "1e+16"], [123456789012345680000, "1.2345678901234568e+20"], [0.0001, "0.0001"],
      [9999999999999998, "9999999999999998.0"], [100, "100.0"], [-2.5, "-2.5"], [0, "0.0"], [-0, "-0.0"],
      [1.5e-7, "1.5e-07"], [5e-324, "5e-324"], [1e300, "1e+300"], [0.1, "0.1"], [2.0, "2.0"],
      [Number.NaN, "nan"], [Infinity, "inf"], [-Infinity, "-inf"],
    ];
    for (const [value, expected] of cases) {
      it(`prints ${String(value)} as ${expected}`, () => {
        expect(formatPythonFloat(value)).to.equal(expected);
      });
    }
  });

  describe("formatPythonInt", () => {
    it("prints integers without a decimal point and refuses fractions", () => {
      expect(formatPythonInt(42)).to.equal("42");
      expect(formatPythonInt(4294967295)).to.equal("4294967295");
      expect(() => formatPythonInt(1.5)).to.throw(RangeError);
    });
  });

  describe("formatTimestamp", () => {
    it("prints local date, time and six-digit microseconds", () => {
      expect(formatTimestamp(at(241444))).to.equal("2025-06-29_151213_241444");
      expect(formatTimestamp({ date: new Date(2024, 0, 2, 3, 4, 5), microseconds: 7 })).to.equal("2024-01-02_030405_000007");
    });

    it("rejects microseconds outside one second", () => {
      expect(() => formatTimestamp(at(1_000_000))).to.throw(RangeError);
      expect(() => formatTimestamp(at(-1))).to.throw(RangeError);
    });
  });

  describe("spec examples", () => {
    const name = (parts: string[], micros: number, ext: string, kind: "tts" | "vc" | "concat" | "mixed"): string =>
      `${outputStem({ kind, parts, at: at(micros) })}.${ext}`;

    it("names TTS outputs", () => {
      expect(name(ttsNameParts(TTS_DEFAULTS), 241444, "wav", "tts")).to.equal("tts_2025-06-29_151213_241444_temp0.75.wav");
      const all = { temperature: 0.8, requestedSeed: 42, exaggeration: 0.7, speedFactor: 1.5, trim: true, trimThresholdMs: 150 };
      expect(name(ttsNameParts(all), 241548, "wav", "tts")).to.equal(
        "tts_2025-06-29_151213_241548_temp0.8_seed42_exag0.7_speed1.5_trim150.wav",
      );
      const integral = { ...TTS_DEFAULTS, temperature: 1, requestedSeed: 42, trim: true };
      expect(name(ttsNameParts(integral), 241564, "wav", "tts")).to.equal("tts_2025-06-29_151213_241564_temp1.0_seed42_trim200.wav");
    });

    it("names VC outputs", () => {
      const linda = vcNameParts({ chunkSec: 60, overlapSec: 0.1, targetVoiceSource: "test_voices/linda_johnson_01.mp3" });
      expect(name(linda, 241574, "wav", "vc")).to.equal("vc_2025-06-29_151213_241574_voicelinda_john.wav");
      const custom = vcNameParts({ chunkSec: 30, overlapSec: 0.2, targetVoiceSource: "a/b/ab-c.wav" });
      expect(name(custom, 241674, "wav", "vc")).to.equal("vc_2025-06-29_151213_241674_chunk30_overlap0.2_voiceab-c.wav");
    });

    it("names concat outputs", () => {
      expect(name(concatNameParts(CONCAT_DEFAULTS), 241703, "wav", "concat")).to.equal(
        "concat_2025-06-29_151213_241703_2files_leveled.wav",
      );
      const silences = { ...CONCAT_DEFAULTS, fileCount: 3, silenceCount: 2, pauseDurationMs: 600, crossfadeMs: 300, trim: true, trimThresholdMs: 150 };
      expect(name(concatNameParts(silences), 241713, "mp3", "concat")).to.equal(
        "concat_2025-06-29_151213_241713_3files_sil2_fade300_leveled_trim150.mp3",
      );
      const pauses = { ...CONCAT_DEFAULTS, pauseDurationMs: 600, pauseVariationMs: 200, normalizeLevels: false };
      expect(name(concatNameParts(pauses), 241727, "flac", "concat")).to.equal("concat_2025-06-29_151213_241727_2files_pause600v200.flac");
    });

    it("names mixed outputs with 'default'", () => {
      expect(name([], 241748, "wav", "mixed")).to.equal("mixed_2025-06-29_151213_241748_default.wav");
    });
  });

  describe("parameter rules", () => {
    it("omits TTS parameters at their defaults but always prints the temperature", () => {
      expect(ttsNameParts({ ...TTS_DEFAULTS, temperature: 2 })).to.deep.equal(["temp2.0"]);
      expect(ttsNameParts({ ...TTS_DEFAULTS, speedFactor: 2, exaggeration: 1 })).to.deep.equal(["temp0.75", "exag1.0", "speed2.0"]);
    });

    it("prints pause without variation when the variation is 0", () => {
      expect(concatNameParts({ ...CONCAT_DEFAULTS, pauseDurationMs: 500, normalizeLevels: false })).to.deep.equal(["2files", "pause500"]);
    });

    it("cleans the VC voice stem like Python's \\w and counts code points", () => {
      expect(vcNameParts({ chunkSec: 60, overlapSec: 0.1, targetVoiceSource: "https://x.org/v/My Voice!.wav" })).to.deep.equal(["voiceMyVoice"]);
      expect(vcNameParts({ chunkSec: 60, overlapSec: 0.1, targetVoiceSource: "voix_éléonore_2024.flac" })).to.deep.equal(["voicevoix_éléon"]);
      expect(vcNameParts({ chunkSec: 60, overlapSec: 0.1, targetVoiceSource: ".hidden" })).to.deep.equal(["voicehidden"]);
    });
  });

  describe("createOutputNamer", () => {
    it("names each kind from the injected clock", () => {
      const namer = createOutputNamer(fixedClock(at(1), at(2), at(3), at(4)));
      expect(namer.tts(TTS_DEFAULTS)).to.equal("tts_2025-06-29_151213_000001_temp0.75");
      expect(namer.vc({ chunkSec: 60, overlapSec: 0.1, targetVoiceSource: "v.wav" })).to.equal("vc_2025-06-29_151213_000002_voicev");
      expect(namer.concat(CONCAT_DEFAULTS)).to.equal("concat_2025-06-29_151213_000003_2files_leveled");
      expect(namer.mixed()).to.equal("mixed_2025-06-29_151213_000004_default");
    });

    it("never repeats a name when the clock stands still or steps back, carrying into the next second", () => {
      const namer = createOutputNamer(fixedClock(at(999_999), at(999_999), at(5)));
      const names = [namer.mixed(), namer.mixed(), namer.mixed()];
      expect(names).to.deep.equal([
        "mixed_2025-06-29_151213_999999_default",
        "mixed_2025-06-29_151214_000000_default",
        "mixed_2025-06-29_151214_000001_default",
      ]);
    });

    it("reads the host clock by default", () => {
      const before = Date.now();
      const { date, microseconds } = systemClock();
      expect(date.getTime()).to.be.within(before - 1, Date.now());
      expect(Math.floor(microseconds / 1000)).to.equal(date.getTime() % 1000);
      expect(createOutputNamer().mixed()).to.match(/^mixed_\d{4}-\d{2}-\d{2}_\d{6}_\d{6}_default$/);
    });
  });
});
