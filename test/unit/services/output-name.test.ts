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
  type OutputKind,
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

/** A concatenation of two files with the contract's defaults (levels normalised). */
const CONCAT_DEFAULTS: ConcatNameParams = {
  fileCount: 2,
  silenceCount: 0,
  pause: undefined,
  crossfadeMs: 0,
  normalizeLevels: true,
  trim: false,
  trimThresholdMs: 200,
};

const TTS_DEFAULTS: TtsNameParams = {
  temperature: 0.75,
  requestedSeed: 0,
  exaggeration: 0.5,
  speedFactor: 1.0,
  trim: false,
  trimThresholdMs: 200,
};

describe("services/output-name", () => {
  describe("formatPythonFloat", () => {
    const cases: Array<[number, string]> = [
      [1, "1.0"],
      [0.75, "0.75"],
      [1.5, "1.5"],
      [0.1 + 0.2, "0.30000000000000004"],
      [1e-5, "1e-05"],
      [1e16, "1e+16"],
      [123456789012345680000, "1.2345678901234568e+20"],
      [0.0001, "0.0001"],
      [9999999999999998, "9999999999999998.0"],
      [100, "100.0"],
      [-2.5, "-2.5"],
      [0, "0.0"],
      [-0, "-0.0"],
      [1.5e-7, "1.5e-07"],
      [5e-324, "5e-324"],
      [1e300, "1e+300"],
      [0.1, "0.1"],
      [2.0, "2.0"],
      [Number.NaN, "nan"],
      [Infinity, "inf"],
      [-Infinity, "-inf"],
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
      expect(formatTimestamp({ date: new Date(2024, 0, 2, 3, 4, 5), microseconds: 7 })).to.equal(
        "2024-01-02_030405_000007",
      );
    });

    it("rejects microseconds outside one second", () => {
      expect(() => formatTimestamp(at(1_000_000))).to.throw(RangeError);
      expect(() => formatTimestamp(at(-1))).to.throw(RangeError);
    });
  });

  describe("spec examples", () => {
    const name = (parts: string[], micros: number, ext: string, kind: OutputKind): string =>
      `${outputStem({ kind, parts, at: at(micros) })}.${ext}`;

    it("names TTS outputs", () => {
      expect(name(ttsNameParts(TTS_DEFAULTS), 241444, "wav", "tts")).to.equal(
        "tts_2025-06-29_151213_241444_temp0.75.wav",
      );
      const all = {
        temperature: 0.8,
        requestedSeed: 42,
        exaggeration: 0.7,
        speedFactor: 1.5,
        trim: true,
        trimThresholdMs: 150,
      };
      expect(name(ttsNameParts(all), 241548, "wav", "tts")).to.equal(
        "tts_2025-06-29_151213_241548_temp0.8_seed42_exag0.7_speed1.5_trim150.wav",
      );
      const integral = { ...TTS_DEFAULTS, temperature: 1, requestedSeed: 42, trim: true };
      expect(name(ttsNameParts(integral), 241564, "wav", "tts")).to.equal(
        "tts_2025-06-29_151213_241564_temp1.0_seed42_trim200.wav",
      );
    });

    it("names VC outputs", () => {
      const defaults = {
        chunkSec: 60,
        overlapSec: 0.1,
        targetVoiceSource: "test_voices/linda_johnson_01.mp3",
        pitchShift: 0,
      };
      expect(name(vcNameParts(defaults), 241574, "wav", "vc")).to.equal(
        "vc_2025-06-29_151213_241574_voicelinda_john.wav",
      );
      const changed = { chunkSec: 30, overlapSec: 0.2, targetVoiceSource: "a b/ab-c.wav", pitchShift: 0 };
      expect(name(vcNameParts(changed), 241674, "wav", "vc")).to.equal(
        "vc_2025-06-29_151213_241674_chunk30_overlap0.2_voiceab-c.wav",
      );
    });

    it("names concatenations", () => {
      expect(name(concatNameParts(CONCAT_DEFAULTS), 241703, "wav", "concat")).to.equal(
        "concat_2025-06-29_151213_241703_2files_leveled.wav",
      );
      const everything = { ...CONCAT_DEFAULTS, fileCount: 3, silenceCount: 2, crossfadeMs: 300, trim: true };
      expect(name(concatNameParts({ ...everything, trimThresholdMs: 150 }), 241713, "mp3", "concat")).to.equal(
        "concat_2025-06-29_151213_241713_3files_sil2_fade300_leveled_trim150.mp3",
      );
      const paused = { ...CONCAT_DEFAULTS, normalizeLevels: false, pause: { baseMs: 600, variationMs: 200 } };
      expect(name(concatNameParts(paused), 241727, "flac", "concat")).to.equal(
        "concat_2025-06-29_151213_241727_2files_pause600v200.flac",
      );
    });
  });

  describe("parameter rules", () => {
    it("names a pause without variation by its base alone, and mixed outputs by their real parameters", () => {
      const steady = { ...CONCAT_DEFAULTS, silenceCount: 1, pause: { baseMs: 500, variationMs: 0 } };
      expect(concatNameParts(steady)).to.deep.equal(["2files", "sil1", "pause500", "leveled"]);
      expect(concatNameParts({ ...CONCAT_DEFAULTS, pause: { baseMs: 0, variationMs: 0 } })).to.deep.equal([
        "2files",
        "leveled",
      ]);
      const namer = createOutputNamer(fixedClock(at(241748)));
      expect(namer.concat("mixed", { ...CONCAT_DEFAULTS, fileCount: 4 })).to.equal(
        "mixed_2025-06-29_151213_241748_4files_leveled",
      );
    });

    it("names a VC target given by URL by its file, and adds a pitch shift when there is one", () => {
      const url = {
        chunkSec: 60,
        overlapSec: 0.1,
        targetVoiceSource: "https://x.test/v/narrator.wav?sig=1#t",
        pitchShift: -2,
      };
      expect(vcNameParts(url)).to.deep.equal(["voicenarrator", "pitch-2.0"]);
    });

    it("omits TTS parameters at their defaults but always prints the temperature", () => {
      expect(ttsNameParts({ ...TTS_DEFAULTS, temperature: 2 })).to.deep.equal(["temp2.0"]);
      expect(ttsNameParts({ ...TTS_DEFAULTS, speedFactor: 2, exaggeration: 1 })).to.deep.equal([
        "temp0.75",
        "exag1.0",
        "speed2.0",
      ]);
    });
  });

  describe("createOutputNamer", () => {
    it("names outputs from the injected clock", () => {
      const namer = createOutputNamer(fixedClock(at(1), at(2)));
      expect(namer.tts(TTS_DEFAULTS)).to.equal("tts_2025-06-29_151213_000001_temp0.75");
      expect(namer.tts({ ...TTS_DEFAULTS, requestedSeed: 7 })).to.equal("tts_2025-06-29_151213_000002_temp0.75_seed7");
    });

    it("never repeats a name when the clock stands still or steps back, carrying into the next second", () => {
      const namer = createOutputNamer(fixedClock(at(999_999), at(999_999), at(5)));
      const names = [namer.tts(TTS_DEFAULTS), namer.tts(TTS_DEFAULTS), namer.tts(TTS_DEFAULTS)];
      expect(names).to.deep.equal([
        "tts_2025-06-29_151213_999999_temp0.75",
        "tts_2025-06-29_151214_000000_temp0.75",
        "tts_2025-06-29_151214_000001_temp0.75",
      ]);
    });

    it("reads the host clock by default", () => {
      const before = Date.now();
      const { date, microseconds } = systemClock();
      expect(date.getTime()).to.be.within(before - 1, Date.now());
      expect(Math.floor(microseconds / 1000)).to.equal(date.getTime() % 1000);
      expect(createOutputNamer().tts(TTS_DEFAULTS)).to.match(/^tts_\d{4}-\d{2}-\d{2}_\d{6}_\d{6}_temp0\.75$/);
    });
  });
});
