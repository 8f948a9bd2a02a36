import { expect } from "chai";
import { CONTRACT_TTS_DEFAULTS } from "../../../../src/domain/tts-fields.js";
import type { TtsRequest } from "../../../../src/services/tts/tts-request.js";
import { unavailableOptionWarnings, watermarkWarning } from "../../../../src/services/tts/tts-warnings.js";

function request(
  overrides: Partial<TtsRequest["options"]>,
  sent: string[] = [],
  unknownFields: string[] = [],
): TtsRequest {
  return {
    text: "Hello.",
    referenceAudioFilename: undefined,
    project: undefined,
    language: undefined,
    options: { ...CONTRACT_TTS_DEFAULTS, ...overrides },
    explicitFields: new Set(sent),
    unknownFields,
  };
}

describe("services/tts/tts-warnings", () => {
  it("stays quiet for a request that asks for nothing unavailable", () => {
    expect(unavailableOptionWarnings(request({}))).to.deep.equal([]);
    // Whisper bypassed: its other fields ask for nothing.
    expect(
      unavailableOptionWarnings(
        request({ bypass_whisper_checking: true }, ["bypass_whisper_checking", "whisper_model_name"]),
      ),
    ).to.deep.equal([]);
    // More candidates only from the contract default, not asked by the client.
    expect(unavailableOptionWarnings(request({ num_candidates_per_chunk: 3 }))).to.deep.equal([]);
  });

  it("names the fields the client sent, and the main field when config switched a feature on", () => {
    const sent = unavailableOptionWarnings(request({ use_auto_editor: true }, ["use_auto_editor", "ae_margin"]));
    expect(sent).to.deep.equal([
      "auto-editor silence removal is not available on this server (use `trim` instead); use_auto_editor, ae_margin had no effect",
    ]);
    const fromConfig = unavailableOptionWarnings(request({ normalize_audio: true }));
    expect(fromConfig).to.deep.equal([
      "loudness normalization is not available on this server yet; normalize_audio had no effect",
    ]);
  });

  it("reports unknown fields first", () => {
    const warnings = unavailableOptionWarnings(
      request({ num_candidates_per_chunk: 2 }, ["num_candidates_per_chunk"], ["colour"]),
    );
    expect(warnings[0]).to.equal("Unknown field 'colour' is not part of the TTS request and was not used");
    expect(warnings[1]).to.match(/^num_candidates_per_chunk=2: /);
  });

  it("speaks up only when the engine's watermark differs from disable_watermark", () => {
    expect(watermarkWarning(true, false, "espeak")).to.equal(undefined);
    expect(watermarkWarning(false, true, "chatterbox")).to.equal(undefined);
    expect(watermarkWarning(true, true, "chatterbox")).to.include("always embeds the Perth watermark");
    expect(watermarkWarning(false, false, "espeak")).to.include("does not embed a watermark");
  });
});
