import { expect } from "chai";
import { childSpan, formatTraceparent, parseTraceparent, startTrace } from "../../../src/domain/trace-context.js";

const TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736";
const PARENT_ID = "00f067aa0ba902b7";
const VALID = `00-${TRACE_ID}-${PARENT_ID}-01`;

describe("W3C trace context", () => {
  it("parses a version-00 traceparent and formats it back unchanged", () => {
    const parsed = parseTraceparent(VALID);
    expect(parsed).to.deep.equal({ traceId: TRACE_ID, parentId: PARENT_ID, flags: "01" });
    expect(formatTraceparent(parsed!)).to.equal(VALID);
    expect(parseTraceparent(`00-${TRACE_ID}-${PARENT_ID}-00`)?.flags).to.equal("00");
  });

  const invalid: Array<[string, string | undefined]> = [
    ["missing", undefined],
    ["empty", ""],
    ["not a traceparent", "garbage"],
    ["another version", `01-${TRACE_ID}-${PARENT_ID}-01`],
    ["the forbidden version ff", `ff-${TRACE_ID}-${PARENT_ID}-01`],
    ["upper-case hex", `00-${TRACE_ID.toUpperCase()}-${PARENT_ID}-01`],
    ["an all-zero trace id", `00-${"0".repeat(32)}-${PARENT_ID}-01`],
    ["an all-zero parent id", `00-${TRACE_ID}-${"0".repeat(16)}-01`],
    ["a short trace id", `00-${TRACE_ID.slice(1)}-${PARENT_ID}-01`],
    ["a short parent id", `00-${TRACE_ID}-${PARENT_ID.slice(1)}-01`],
    ["one-digit flags", `00-${TRACE_ID}-${PARENT_ID}-1`],
    ["trailing fields", `00-${TRACE_ID}-${PARENT_ID}-01-extra`],
    ["non-hex digits", `00-${TRACE_ID.slice(0, -1)}g-${PARENT_ID}-01`],
  ];
  for (const [what, value] of invalid) {
    it(`ignores ${what}`, () => expect(parseTraceparent(value)).to.equal(undefined));
  }

  it("starts a sampled trace with random, well-formed ids", () => {
    const first = startTrace();
    const second = startTrace();
    expect(first.flags).to.equal("01");
    expect(parseTraceparent(formatTraceparent(first))).to.deep.equal(first);
    expect(second.traceId).to.not.equal(first.traceId);
    expect(second.parentId).to.not.equal(first.parentId);
  });

  it("makes a child span: same trace and flags, a new parent id", () => {
    const parent = parseTraceparent(`00-${TRACE_ID}-${PARENT_ID}-00`)!;
    const child = childSpan(parent);
    expect(child).to.include({ traceId: TRACE_ID, flags: "00" });
    expect(child.parentId)
      .to.match(/^[0-9a-f]{16}$/)
      .and.not.equal(PARENT_ID);
  });
});
