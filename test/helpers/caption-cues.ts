/** Reads caption files back the way a player would, so tests judge the captions we write by their cues. */

export interface ParsedCue {
  startMs: number;
  endMs: number;
  /** The cue's lines joined by a space. */
  text: string;
}

/** The cues of an SRT or WebVTT file, in file order. */
export function cuesOf(captions: string): ParsedCue[] {
  const ms = (time: string) => {
    const [h, m, s, milli] = time.split(/[:,.]/u).map(Number);
    return ((h! * 60 + m!) * 60 + s!) * 1000 + milli!;
  };
  return captions
    .split(/\n\n/u)
    .map((block) => block.split("\n").filter((line) => line !== ""))
    .filter((lines) => lines.some((line) => line.includes(" --> ")))
    .map((lines) => {
      const at = lines.findIndex((line) => line.includes(" --> "));
      const [start, end] = lines[at]!.split(" --> ");
      return { startMs: ms(start!), endMs: ms(end!), text: lines.slice(at + 1).join(" ") };
    });
}
