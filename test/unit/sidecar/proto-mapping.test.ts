import { expect } from "chai";
import { InferenceFailedError } from "../../../src/domain/errors.js";
import {
  AudioEncoding,
  ChatterboxVariant,
  Engine,
  StretchLibrary,
  type SynthesizeStreamResponse,
} from "../../../src/sidecar/generated/chatterbox/v1/speech.js";
import * as map from "../../../src/sidecar/proto-mapping.js";
import { SynthesisEventDecoder } from "../../../src/sidecar/synthesis-event-decoder.js";
import { float32ToF32le } from "../../../src/audio/pcm.js";

const format = { encoding: AudioEncoding.AUDIO_ENCODING_PCM_F32LE, sampleRateHz: 24_000, channels: 1 };
const start: SynthesizeStreamResponse = {
  event: { $case: "start", start: { format, segmentCount: 1, engine: Engine.ENGINE_CHATTERBOX } },
};
const audio = (data: Buffer, encoding = format.encoding): SynthesizeStreamResponse => ({
  event: { $case: "audio", audio: { data, segmentIndex: 0, segmentFinal: true, startSample: 0, format: { ...format, encoding } } },
});
const stats = {
  queueWaitMs: 1,
  timeToFirstAudioMs: 2,
  generationMs: 3,
  audioSamples: 2,
  watermarked: true,
  stretchLibrary: 0,
  ignoredParameters: [],
  voiceMethod: "",
  stretchMs: 0,
  warnings: [],
};
const end: SynthesizeStreamResponse = { event: { $case: "end", end: { stats } } };

describe("sidecar/proto-mapping", () => {
  it("maps engines both ways, and refuses AUTO or unknown engines from the sidecar", () => {
    expect(map.engineToProto("auto")).to.equal(Engine.ENGINE_AUTO);
    expect(map.engineFromProto(Engine.ENGINE_ESPEAK)).to.equal("espeak");
    expect(() => map.engineFromProto(Engine.ENGINE_AUTO)).to.throw(InferenceFailedError);
    expect(() => map.engineFromProto(99 as Engine)).to.throw(InferenceFailedError);
  });

  it("maps variants and stretch libraries, UNSPECIFIED reading as undefined", () => {
    expect(map.variantToProto("turbo")).to.equal(ChatterboxVariant.CHATTERBOX_VARIANT_TURBO);
    expect(map.variantFromProto(ChatterboxVariant.CHATTERBOX_VARIANT_UNSPECIFIED)).to.equal(undefined);
    expect(map.stretchLibraryToProto(undefined)).to.equal(StretchLibrary.STRETCH_LIBRARY_UNSPECIFIED);
    expect(map.stretchLibraryFromProto(StretchLibrary.STRETCH_LIBRARY_AUDIOSTRETCHY)).to.equal("audiostretchy");
    expect(map.stretchLibraryFromProto(StretchLibrary.STRETCH_LIBRARY_UNSPECIFIED)).to.equal(undefined);
  });

  it("builds a synthesis request with f32le output and only the parameters given", () => {
    const proto = map.synthesisInputToProto({
      segments: [{ text: "Hi.", seed: 7 }],
      voice: { path: "/voices/a.wav" },
      params: { temperature: 0.5 },
    });
    expect(proto.encoding).to.equal(AudioEncoding.AUDIO_ENCODING_PCM_F32LE);
    expect(proto.voice).to.deep.equal({ source: { $case: "path", path: "/voices/a.wav" } });
    expect(proto.params?.temperature).to.equal(0.5);
    expect(proto.params?.cfgWeight).to.equal(undefined);
    expect(proto.language).to.equal("");
    expect(proto.segments).to.deep.equal([{ text: "Hi.", seed: 7 }]);
  });

  it("refuses audio that is not mono or has no format", () => {
    expect(() => map.pcmFromProto({ format: { ...format, channels: 2 }, data: Buffer.alloc(8) })).to.throw(InferenceFailedError);
    expect(() => map.pcmFromProto({ format: undefined, data: Buffer.alloc(0) })).to.throw(InferenceFailedError);
  });

  it("turns an odd byte count into a generic protocol error with the reason as cause", () => {
    try {
      map.samplesFromProto(Buffer.alloc(5), AudioEncoding.AUDIO_ENCODING_PCM_F32LE);
      expect.fail("should throw");
    } catch (error) {
      expect(error).to.be.instanceOf(InferenceFailedError);
      expect(String((error as Error).cause)).to.include("multiple of 4");
    }
  });
});

describe("sidecar/synthesis-event-decoder", () => {
  it("decodes start, audio and end", () => {
    const decoder = new SynthesisEventDecoder();
    expect(decoder.decode(start)).to.deep.equal({ type: "start", sampleRate: 24_000, segmentCount: 1, engine: "chatterbox" });
    const chunk = decoder.decode(audio(float32ToF32le(Float32Array.from([0.5, -0.5]))));
    expect(chunk.type === "audio" && Array.from(chunk.samples)).to.deep.equal([0.5, -0.5]);
    expect(decoder.decode(end)).to.deep.include({ type: "end" });
    decoder.assertComplete();
  });

  it("refuses events out of order and streams without an end", () => {
    expect(() => new SynthesisEventDecoder().decode(audio(Buffer.alloc(4)))).to.throw(InferenceFailedError);
    expect(() => new SynthesisEventDecoder().decode(end)).to.throw(InferenceFailedError);
    const twice = new SynthesisEventDecoder();
    twice.decode(start);
    expect(() => twice.decode(start)).to.throw(InferenceFailedError);
    const unfinished = new SynthesisEventDecoder();
    unfinished.decode(start);
    expect(() => unfinished.assertComplete()).to.throw(InferenceFailedError);
    const afterEnd = new SynthesisEventDecoder();
    afterEnd.decode(start);
    afterEnd.decode(end);
    expect(() => afterEnd.decode(audio(Buffer.alloc(4)))).to.throw(InferenceFailedError);
  });

  it("refuses an audio chunk whose own format contradicts the start event", () => {
    const decoder = new SynthesisEventDecoder();
    decoder.decode(start);
    expect(() => decoder.decode(audio(Buffer.alloc(4), AudioEncoding.AUDIO_ENCODING_PCM_S16LE))).to.throw(InferenceFailedError);
  });
});
