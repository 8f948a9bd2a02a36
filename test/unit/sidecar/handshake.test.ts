import { expect } from "chai";
import { HandshakeError, parseHandshake } from "../../../src/sidecar/handshake.js";

describe("sidecar/handshake", () => {
  it("parses the listening line", () => {
    const line = '{"event":"listening","address":"127.0.0.1:50123","pid":321}';
    expect(parseHandshake(line)).to.deep.equal({ address: "127.0.0.1:50123", pid: 321 });
  });

  const bad: Array<[string, string]> = [
    ["Loading torch...", "expected the JSON handshake"],
    ['{"event":"ready","address":"127.0.0.1:1","pid":1}', "unexpected handshake event"],
    ['{"event":"listening","address":"127.0.0.1","pid":1}', "host:port"],
    ['{"event":"listening","address":"127.0.0.1:1"}', "pid"],
    ["null", "unexpected handshake event"],
  ];
  for (const [line, message] of bad) {
    it(`rejects ${line}`, () => {
      expect(() => parseHandshake(line)).to.throw(HandshakeError, message);
    });
  }

  it("quotes a long wrong line only in part", () => {
    const error = (() => {
      try {
        parseHandshake("x".repeat(5_000));
      } catch (e) {
        return e as Error;
      }
      throw new Error("no error");
    })();
    expect(error.message.length).to.be.lessThan(400);
  });
});
