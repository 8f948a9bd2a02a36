import { expect } from "chai";
import { mediaTypeFor } from "../../../src/storage/media-types.js";

describe("storage/media-types", () => {
  it("names the type of every export format's file", () => {
    const types = ["x.wav", "x.mp3", "x.flac", "x.opus", "x.m4a", "x.pcm"].map(mediaTypeFor);
    expect(types).to.deep.equal([
      "audio/wav",
      "audio/mpeg",
      "audio/flac",
      "audio/ogg; codecs=opus",
      "audio/mp4",
      "application/octet-stream",
    ]);
  });

  it("names the chapter book's and the captions' types", () => {
    expect(["book.m4b", "x.vtt", "x.srt"].map(mediaTypeFor)).to.deep.equal([
      "audio/mp4",
      "text/vtt; charset=utf-8",
      "application/x-subrip; charset=utf-8",
    ]);
  });

  it("ignores the extension's case and falls back to bytes for unknown ones", () => {
    expect(mediaTypeFor("dir.v2/A.M4A")).to.equal("audio/mp4");
    expect(mediaTypeFor("notes.xyz")).to.equal("application/octet-stream");
  });
});
