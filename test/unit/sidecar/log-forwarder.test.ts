import { expect } from "chai";
import { PassThrough } from "node:stream";
import { pino } from "pino";
import { forEachLine } from "../../../src/sidecar/line-splitter.js";
import { DEFAULT_TAIL_LINES, LogForwarder, mapSidecarLevel } from "../../../src/sidecar/log-forwarder.js";

type Line = Record<string, unknown>;

function capture(): { lines: Line[]; forwarder: LogForwarder } {
  const lines: Line[] = [];
  const logger = pino({ level: "trace" }, { write: (s: string) => void lines.push(JSON.parse(s) as Line) });
  return { lines, forwarder: new LogForwarder({ logger, pid: 4242 }) };
}

describe("sidecar/log-forwarder", () => {
  it("maps level names, including Python spellings, and unknown ones to info", () => {
    const cases: Array<[unknown, string]> = [
      ["debug", "debug"],
      ["INFO", "info"],
      ["warn", "warn"],
      ["warning", "warn"],
      ["WARNING", "warn"],
      ["error", "error"],
      ["fatal", "fatal"],
      ["critical", "fatal"],
      ["CRITICAL", "fatal"],
      ["verbose", "info"],
      [30, "info"],
      [undefined, "info"],
    ];
    for (const [input, expected] of cases) expect(mapSidecarLevel(input), String(input)).to.equal(expected);
  });

  it("re-emits a JSON line at its level with its fields, under component sidecar and the pid", () => {
    const { lines, forwarder } = capture();
    const record = { time: "2025-01-01T00:00:00Z", level: "warning", msg: "slow", logger: "engine", request_id: "r1", pid: 7 };
    forwarder.handleLine(JSON.stringify(record));
    expect(lines).to.have.length(1);
    expect(lines[0]).to.include({ level: 40, msg: "slow", component: "sidecar", pid: 4242, logger: "engine", request_id: "r1" });
    expect(lines[0]).to.include({ sidecarTime: "2025-01-01T00:00:00Z", sidecarPid: 7 });
  });

  it("logs fatal lines at fatal and accepts `message` for the text", () => {
    const { lines, forwarder } = capture();
    forwarder.handleLine(JSON.stringify({ level: "critical", message: "CUDA gone" }));
    expect(lines[0]).to.include({ level: 60, msg: "CUDA gone" });
  });

  it("logs non-JSON lines (and JSON that is not an object) at warn, verbatim", () => {
    const { lines, forwarder } = capture();
    forwarder.handleLine("Traceback (most recent call last):");
    forwarder.handleLine("[1, 2]");
    forwarder.handleLine("{broken json");
    expect(lines.map((l) => [l.level, l.msg, l.stream])).to.deep.equal([
      [40, "Traceback (most recent call last):", "stderr"],
      [40, "[1, 2]", "stderr"],
      [40, "{broken json", "stderr"],
    ]);
  });

  it("keeps the last lines for crash reports and skips blank lines", () => {
    const { forwarder } = capture();
    for (let i = 0; i < DEFAULT_TAIL_LINES + 10; i++) forwarder.handleLine(`line ${i}`);
    forwarder.handleLine("   ");
    const tail = forwarder.tail();
    expect(tail).to.have.length(DEFAULT_TAIL_LINES);
    expect(tail[0]).to.equal("line 10");
    expect(tail.at(-1)).to.equal(`line ${DEFAULT_TAIL_LINES + 9}`);
  });

  it("splits a stream into lines across chunk boundaries, CRLF and multi-byte characters included", async () => {
    const stream = new PassThrough();
    const seen: string[] = [];
    const done = forEachLine(stream, (line) => seen.push(line));
    const bytes = Buffer.from('{"level":"info","msg":"h\u00e9llo"}\r\nsecond li');
    const cut = bytes.indexOf(0xc3) + 1; // inside the two-byte é
    stream.write(bytes.subarray(0, cut));
    stream.write(bytes.subarray(cut));
    stream.end("ne\nunterminated");
    await done;
    expect(seen).to.deep.equal(['{"level":"info","msg":"h\u00e9llo"}', "second line", "unterminated"]);
  });

  it("cuts runaway lines at the bound instead of buffering them forever", async () => {
    const stream = new PassThrough();
    const seen: string[] = [];
    const done = forEachLine(stream, (line) => seen.push(line), 10);
    stream.end("x".repeat(25));
    await done;
    expect(seen.map((l) => l.length)).to.deep.equal([10, 10, 5]);
  });
});
