import { expect } from "chai";
import type { Transcript } from "../../../src/domain/inference.js";
import { languageName, renderTranscript, timestamp } from "../../../src/http/present/transcript-formats.js";

function transcript(): Transcript {
  const segment = (id: number, start: number, end: number, text: string) => ({
    id,
    start,
    end,
    text,
    avgLogprob: -0.25,
    noSpeechProb: 0.01,
    compressionRatio: 1.1,
    temperature: 0,
    tokens: [50364 + id],
    words: [{ start, end: start + 0.4, word: ` ${text.trim().split(" ")[0]}`, probability: 0.9 }],
    seek: 0,
  });
  return {
    info: {
      model: "base",
      language: "en",
      languageProbability: 0.98,
      durationSeconds: 3661.2,
      warnings: [],
      device: "cpu",
    },
    text: "Hello there. General Kenobi.",
    segments: [segment(0, 0, 1.5, " Hello there."), segment(1, 3600.25, 3661.0004, " General Kenobi.")],
    stats: { queueWaitMs: 0, loadMs: 0, processingMs: 10 },
  };
}

const view = { task: "transcribe", segments: true, words: false } as const;

describe("http/present/transcript-formats", () => {
  it("formats SubRip and WebVTT timestamps, hours included", () => {
    expect(timestamp(3661.0004, "srt")).to.equal("01:01:01,000");
    expect(timestamp(0.0456, "vtt")).to.equal("00:00:00.046");
    expect(timestamp(-1, "srt")).to.equal("00:00:00,000");
  });

  it("renders json with the text and the duration usage OpenAI reports", () => {
    const rendered = renderTranscript(transcript(), { ...view, format: "json" });
    expect(rendered.contentType).to.equal("application/json");
    expect(rendered.body).to.deep.equal({
      text: "Hello there. General Kenobi.",
      usage: { type: "duration", seconds: 3662 },
    });
  });

  it("renders text as plain text with a final newline", () => {
    expect(renderTranscript(transcript(), { ...view, format: "text" })).to.deep.equal({
      contentType: "text/plain; charset=utf-8",
      body: "Hello there. General Kenobi.\n",
    });
  });

  it("renders numbered SubRip cues and WebVTT with its header, one cue per segment", () => {
    const srt = renderTranscript(transcript(), { ...view, format: "srt" }).body;
    expect(srt).to.equal(
      "1\n00:00:00,000 --> 00:00:01,500\nHello there.\n\n2\n01:00:00,250 --> 01:01:01,000\nGeneral Kenobi.\n\n",
    );
    const vtt = renderTranscript(transcript(), { ...view, format: "vtt" });
    expect(vtt.contentType).to.equal("text/vtt; charset=utf-8");
    expect(vtt.body).to.equal(
      "WEBVTT\n\n00:00:00.000 --> 00:00:01.500\nHello there.\n\n01:00:00.250 --> 01:01:01.000\nGeneral Kenobi.\n\n",
    );
  });

  it("renders verbose_json with the language in words, segments, and words only when asked", () => {
    const body = renderTranscript(transcript(), { ...view, format: "verbose_json" }).body as Record<string, unknown>;
    expect(body).to.include({ task: "transcribe", language: "english", duration: 3661.2 });
    expect(body).to.not.have.property("words");
    const segments = body.segments as Array<Record<string, unknown>>;
    expect(segments[1]).to.deep.equal({
      id: 1,
      seek: 0,
      start: 3600.25,
      end: 3661,
      text: " General Kenobi.",
      tokens: [50365],
      temperature: 0,
      avg_logprob: -0.25,
      compression_ratio: 1.1,
      no_speech_prob: 0.01,
    });
    const withWords = renderTranscript(transcript(), {
      task: "translate",
      format: "verbose_json",
      segments: false,
      words: true,
    }).body as Record<string, unknown>;
    expect(withWords).to.not.have.property("segments");
    expect(withWords.task).to.equal("translate");
    expect(withWords.words).to.deep.equal([
      { word: "Hello", start: 0, end: 0.4 },
      { word: "General", start: 3600.25, end: 3600.65 },
    ]);
  });

  it("names languages in lower-case English words, keeping unknown codes as they are", () => {
    expect(languageName("fr")).to.equal("french");
    expect(languageName("yue")).to.equal("cantonese");
    expect(languageName("zz")).to.equal("zz");
  });
});
