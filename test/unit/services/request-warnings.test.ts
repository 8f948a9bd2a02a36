import { expect } from "chai";
import { switchedOffWarnings, unknownFieldWarnings, watermarkWarning } from "../../../src/services/request-warnings.js";
import { CONTRACT_TTS_DEFAULTS } from "../../../src/domain/tts-fields.js";
import { CONTRACT_VC_DEFAULTS } from "../../../src/domain/vc-fields.js";

describe("services/request-warnings", () => {
  it("names each unknown field and the request it is not part of", () => {
    expect(unknownFieldWarnings(["colour", "size"], "VC")).to.deep.equal([
      "Unknown field 'colour' is not part of the VC request and was not used",
      "Unknown field 'size' is not part of the VC request and was not used",
    ]);
  });

  it("speaks up only when the engine's watermark differs from disable_watermark", () => {
    expect(watermarkWarning(true, false, "espeak")).to.equal(undefined);
    expect(watermarkWarning(false, true, "chatterbox")).to.equal(undefined);
    expect(watermarkWarning(true, true, "chatterbox")).to.include("always embeds the Perth watermark");
    expect(watermarkWarning(false, false, "espeak")).to.include("does not embed a watermark");
  });

  it("names the settings a client sent for a stage that is switched off", () => {
    const sent = new Set([
      "ae_margin",
      "keep_original_wav_ae",
      "normalize_level",
      "trim_threshold_ms",
      "speed_factor_library",
    ]);
    expect(switchedOffWarnings(CONTRACT_TTS_DEFAULTS, sent)).to.deep.equal([
      "keep_original_wav_ae, ae_margin had no effect: use_auto_editor=false switches that stage off",
      "trim_threshold_ms had no effect: trim=false switches that stage off",
      "normalize_level had no effect: normalize_audio=false switches that stage off",
      "speed_factor_library had no effect: speed_factor=1 switches that stage off",
    ]);
    // VC has no speed; its stages follow the same rule.
    expect(switchedOffWarnings(CONTRACT_VC_DEFAULTS, sent)).to.have.length(3);
  });

  it("stays quiet when the stage is on, or when only the defaults were used", () => {
    const on = { ...CONTRACT_TTS_DEFAULTS, use_auto_editor: true, trim: true, normalize_audio: true, speed_factor: 2 };
    const sent = new Set(["ae_margin", "trim_threshold_ms", "normalize_level", "speed_factor_library"]);
    expect(switchedOffWarnings(on, sent)).to.deep.equal([]);
    expect(switchedOffWarnings(CONTRACT_TTS_DEFAULTS, new Set())).to.deep.equal([]);
  });
});
