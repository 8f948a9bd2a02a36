import { expect } from "chai";
import {
  fallbackChoice,
  passes,
  tryPosition,
  type TryRecord,
} from "../../../../src/services/tts/candidate-selection.js";

/** A try with audio and a transcript; `wer` and `transcript` as given. */
function heard(transcript: string, wer: number): TryRecord {
  return { candidate: 0, attempt: 0, seed: 1, durationSeconds: 1, transcript, wer, error: undefined };
}

const engineFailure: TryRecord = {
  candidate: 0,
  attempt: 0,
  seed: 1,
  durationSeconds: undefined,
  transcript: undefined,
  wer: undefined,
  error: "boom",
};

describe("services/tts/candidate-selection", () => {
  it("orders tries as every attempt of candidate 0, then candidate 1's, and so on", () => {
    const order = Array.from({ length: 6 }, (_, index) => tryPosition(index, 3));
    expect(order).to.deep.equal([
      { candidate: 0, attempt: 0 },
      { candidate: 0, attempt: 1 },
      { candidate: 0, attempt: 2 },
      { candidate: 1, attempt: 0 },
      { candidate: 1, attempt: 1 },
      { candidate: 1, attempt: 2 },
    ]);
    expect(tryPosition(4, 1)).to.deep.equal({ candidate: 4, attempt: 0 });
  });

  it("passes a try at or below the threshold, never one that failed or was not checked", () => {
    expect(passes(heard("a b", 0.15), 0.15)).to.equal(true);
    expect(passes(heard("a b", 0), 0)).to.equal(true);
    expect(passes(heard("a", 0.16), 0.15)).to.equal(false);
    expect(passes(engineFailure, 1)).to.equal(false);
    expect(passes({ ...heard("", 0), error: "speech recognition failed" }, 1)).to.equal(false);
    expect(passes({ ...heard("", 0), wer: undefined }, 1)).to.equal(false);
  });

  it("falls back to the lowest word error rate, the earliest on ties", () => {
    const tries = [heard("one", 0.5), heard("one two three", 0.4), heard("x", 0.2), heard("y", 0.2)];
    expect(fallbackChoice(tries, false)).to.equal(2);
  });

  it("falls back to the longest transcript with use_longest_transcript_on_fail, the earliest on ties", () => {
    const tries = [heard("short", 0.1), heard("a longer one", 0.9), heard("same length!", 0.5)];
    expect(fallbackChoice(tries, true)).to.equal(1);
  });

  it("never chooses a try without audio, and has no choice when no try produced any", () => {
    expect(fallbackChoice([engineFailure, heard("late", 0.9), engineFailure], false)).to.equal(1);
    expect(fallbackChoice([engineFailure, heard("", 1)], true)).to.equal(1);
    expect(fallbackChoice([engineFailure, engineFailure], true)).to.equal(undefined);
    expect(fallbackChoice([], false)).to.equal(undefined);
  });
});
