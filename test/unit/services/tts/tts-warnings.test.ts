import { expect } from "chai";
import { CONTRACT_TTS_DEFAULTS } from "../../../../src/domain/tts-fields.js";
import type { TtsRequest } from "../../../../src/services/tts/tts-request.js";
import { unavailableOptionWarnings } from "../../../../src/services/tts/tts-warnings.js";

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

  it("names the Whisper fields the client sent when validation was not bypassed", () => {
    const sent = unavailableOptionWarnings(request({}, ["whisper_model_name", "use_faster_whisper"]));
    expect(sent).to.deep.equal([
      "Whisper validation is not available on this server, so candidates were not transcribed or checked; " +
        "whisper_model_name, use_faster_whisper had no effect",
    ]);
  });

  it("has nothing to say about post-processing, which is always done", () => {
    const options = { use_auto_editor: true, normalize_audio: true, sound_words_field: "um" };
    expect(unavailableOptionWarnings(request(options, Object.keys(options)))).to.deep.equal([]);
  });

  it("reports unknown fields first", () => {
    const warnings = unavailableOptionWarnings(
      request({ num_candidates_per_chunk: 2 }, ["num_candidates_per_chunk"], ["colour"]),
    );
    expect(warnings[0]).to.equal("Unknown field 'colour' is not part of the TTS request and was not used");
    expect(warnings[1]).to.match(/^num_candidates_per_chunk=2: /);
  });
});
