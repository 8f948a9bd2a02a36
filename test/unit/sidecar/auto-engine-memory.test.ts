import { expect } from "chai";
import type { EngineName, ModelInfo } from "../../../src/domain/inference.js";
import { AutoEngineMemory } from "../../../src/sidecar/auto-engine-memory.js";
import type { ModelLoadRequest } from "../../../src/sidecar/sidecar-client.js";

const AUTO: ModelLoadRequest = {
  engine: "auto",
  variant: "english",
  device: "cpu",
  modelsDir: "/models",
  allowDownload: false,
  piperVoice: "",
};

const loadedInfo = (engine: EngineName, warnings: string[] = []): ModelInfo => ({
  engine,
  variant: undefined,
  device: "cpu",
  sampleRate: 24_000,
  maxSegmentChars: 300,
  languages: ["en"],
  voiceConversion: true,
  watermarked: false,
  engineVersion: "1",
  stretchLibraries: [],
  voiceMethod: "",
  voiceName: "",
  voiceLicence: "",
  warnings,
});

describe("AutoEngineMemory", () => {
  it("asks for the engine auto fell back to (piper here) after the first load, keeping why", () => {
    const memory = new AutoEngineMemory();
    expect(memory.requestFor(AUTO).engine).to.equal("auto");
    const first = memory.loaded(AUTO, loadedInfo("piper", ["Chatterbox could not load"]));
    expect(first.warnings).to.deep.equal([
      "Chatterbox could not load",
      "restarts of the sidecar load piper directly; restart the server to try Chatterbox again",
    ]);
    expect(memory.requestFor(AUTO)).to.deep.equal({ ...AUTO, engine: "piper" });
    const again = memory.loaded(AUTO, loadedInfo("piper"));
    expect(again.warnings).to.deep.equal(first.warnings);
  });

  it("remembers nothing when auto loaded Chatterbox, or when an engine was configured", () => {
    const memory = new AutoEngineMemory();
    memory.loaded(AUTO, loadedInfo("chatterbox"));
    expect(memory.requestFor(AUTO).engine).to.equal("auto");
    const espeak = { ...AUTO, engine: "espeak" as const };
    expect(memory.loaded(espeak, loadedInfo("espeak")).warnings).to.deep.equal([]);
    expect(memory.requestFor(AUTO).engine).to.equal("auto");
  });
});
