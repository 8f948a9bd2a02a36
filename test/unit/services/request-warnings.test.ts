import { expect } from "chai";
import { unknownFieldWarnings, watermarkWarning } from "../../../src/services/request-warnings.js";

describe("services/request-warnings", () => {
  it("names each unknown field and the request it is not part of", () => {
    expect(unknownFieldWarnings(["colour", "size"], "VC")).to.deep.equal([
      "Unknown field 'colour' is not part of the VC request and was not used",
      "Unknown field 'size' is not part of the VC request and was not used",
    ]);
  });

  it("speaks up only when the engine's watermark differs from disable_watermark", () => {
    expect(watermarkWarning(true, false, "espeak")).to.equal(undefined);
    expect(watermarkWarning(false, true, "chatterbox")).to.equal(undefined);
    expect(watermarkWarning(true, true, "chatterbox")).to.include("always embeds the Perth watermark");
    expect(watermarkWarning(false, false, "espeak")).to.include("does not embed a watermark");
  });
});
