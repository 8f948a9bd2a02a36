/**
 * Splits a byte stream into text lines as they arrive. Written here rather than with node:readline so a
 * runaway line (a binary dump, a missing newline) is cut at a bound instead of growing without limit.
 */
import type { Readable } from "node:stream";
import { StringDecoder } from "node:string_decoder";

/** Longest line kept whole; longer ones are emitted in pieces of this size. */
export const MAX_LINE_CHARS = 64 * 1024;

/**
 * Calls `onLine` for every line of `stream` (without its newline or carriage return).
 * @returns a promise that resolves when the stream ends, closes or fails (never rejects)
 */
export function forEachLine(stream: Readable, onLine: (line: string) => void, maxChars = MAX_LINE_CHARS): Promise<void> {
  const decoder = new StringDecoder("utf8");
  let pending = "";
  const emit = (line: string): void => onLine(line.endsWith("\r") ? line.slice(0, -1) : line);
  const push = (text: string): void => {
    pending += text;
    let newline = pending.indexOf("\n");
    while (newline !== -1) {
      emit(pending.slice(0, newline));
      pending = pending.slice(newline + 1);
      newline = pending.indexOf("\n");
    }
    while (pending.length > maxChars) {
      emit(pending.slice(0, maxChars));
      pending = pending.slice(maxChars);
    }
  };
  return new Promise((resolve) => {
    let done = false;
    const finish = (): void => {
      if (done) return;
      done = true;
      push(decoder.end());
      if (pending !== "") emit(pending);
      pending = "";
      resolve();
    };
    stream.on("data", (chunk: Buffer | string) => push(typeof chunk === "string" ? chunk : decoder.write(chunk)));
    stream.once("end", finish);
    stream.once("close", finish);
    stream.once("error", finish);
  });
}
