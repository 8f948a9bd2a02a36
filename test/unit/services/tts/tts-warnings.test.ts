import { expect } from "chai";
import { CONTRACT_TTS_DEFAULTS } from "../../../../src/domain/tts-fields.js";
import type { TtsRequest } from "../../../../src/services/tts/tts-request.js";
import { unavailableOptionWarnings } from "../../../../src/services/tts/tts-warnings.js";
import type { VerificationPlan } from "../../../../src/services/tts/verified-synthesis.js";

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

const BYPASSED: VerificationPlan = { verify: false, reason: "bypass_whisper_checking is true", maxWer: 0.15 };
const NO_STT: VerificationPlan = { verify: false, reason: "no Whisper model is installed", maxWer: 0.15 };
const VERIFIED: VerificationPlan = {
  verify: true,
  model: "base",
  language: "en",
  maxWer: 0.15,
  preferLongestTranscript: true,
  wordTimestamps: false,
};

describe("services/tts/tts-warnings", () => {
  it("stays quiet for a request that asks for nothing unavailable", () => {
    expect(unavailableOptionWarnings(request({}), NO_STT)).to.deep.equal([]);
    // Whisper bypassed: its other fields ask for nothing.
    const bypassed = request({ bypass_whisper_checking: true }, ["bypass_whisper_checking", "whisper_model_name"]);
    expect(unavailableOptionWarnings(bypassed, BYPASSED)).to.deep.equal([]);
    // More candidates only from the contract default, not asked by the client.
    expect(unavailableOptionWarnings(request({ num_candidates_per_chunk: 3 }), NO_STT)).to.deep.equal([]);
  });

  it("names the Whisper fields the client sent, and why, when validation could not run", () => {
    const sent = unavailableOptionWarnings(request({}, ["whisper_model_name", "use_faster_whisper"]), NO_STT);
    expect(sent).to.deep.equal([
      "Whisper validation is not available on this server (no Whisper model is installed), so candidates were " +
        "not transcribed or checked; whisper_model_name, use_faster_whisper had no effect",
    ]);
  });

  it("says extra candidates were not generated when nothing could choose between them", () => {
    const asked = request({ num_candidates_per_chunk: 4, bypass_whisper_checking: true }, [
      "num_candidates_per_chunk",
      "bypass_whisper_checking",
    ]);
    expect(unavailableOptionWarnings(asked, BYPASSED)).to.deep.equal([
      "num_candidates_per_chunk=4: without a validator one candidate per chunk is generated, since extra " +
        "candidates could never be chosen",
    ]);
  });

  it("is quiet about Whisper fields and candidates when validation ran, except openai-whisper", () => {
    const sent = ["whisper_model_name", "num_candidates_per_chunk", "use_longest_transcript_on_fail"];
    expect(unavailableOptionWarnings(request({ num_candidates_per_chunk: 5 }, sent), VERIFIED)).to.deep.equal([]);
    const openai = request({ use_faster_whisper: false }, ["use_faster_whisper"]);
    expect(unavailableOptionWarnings(openai, VERIFIED)).to.deep.equal([
      "openai-whisper is not installed; faster-whisper was used",
    ]);
    // The default (true) asks for nothing, and neither does false from config rather than the client.
    expect(unavailableOptionWarnings(request({ use_faster_whisper: false }), VERIFIED)).to.deep.equal([]);
  });

  it("has nothing to say about post-processing, which is always done", () => {
    const options = { use_auto_editor: true, normalize_audio: true, sound_words_field: "um" };
    expect(unavailableOptionWarnings(request(options, Object.keys(options)), NO_STT)).to.deep.equal([]);
  });

  it("reports unknown fields first", () => {
    const warnings = unavailableOptionWarnings(
      request({ num_candidates_per_chunk: 2 }, ["num_candidates_per_chunk"], ["colour"]),
      NO_STT,
    );
    expect(warnings[0]).to.equal("Unknown field 'colour' is not part of the TTS request and was not used");
    expect(warnings[1]).to.match(/^num_candidates_per_chunk=2: /);
  });
});
