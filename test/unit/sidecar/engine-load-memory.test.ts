import { expect } from "chai";
import type { EngineName, LoadedEngines, ModelInfo } from "../../../src/domain/inference.js";
import { EngineLoadMemory } from "../../../src/sidecar/engine-load-memory.js";
import type { ModelLoadRequest } from "../../../src/sidecar/sidecar-client.js";

const AUTO: ModelLoadRequest = {
  engine: "auto",
  variant: "english",
  device: "cpu",
  modelsDir: "/models",
  allowDownload: false,
  piperVoice: "",
  engines: ["chatterbox", "piper", "espeak"],
  memoryBudgetMb: 0,
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
  memoryMb: 0,
  warnings,
});

function loaded(infos: ModelInfo[], unavailable: LoadedEngines["unavailable"] = []): LoadedEngines {
  return { default: infos[0]!, loaded: infos, unavailable };
}

const NO_CHATTERBOX = [{ engine: "chatterbox" as const, reason: "no weights" }];

describe("EngineLoadMemory", () => {
  it("asks for what loaded the first time (piper, after auto fell back, beside espeak), keeping why", () => {
    const memory = new EngineLoadMemory();
    expect(memory.requestFor(AUTO)).to.deep.equal(AUTO);
    const first = memory.loaded(AUTO, loaded([loadedInfo("piper", ["Chatterbox could not load"]), loadedInfo("espeak")], NO_CHATTERBOX));
    expect(first.default.warnings).to.deep.equal([
      "Chatterbox could not load",
      "restarts of the sidecar load piper directly; restart the server to try Chatterbox again",
    ]);
    expect(first.loaded.map((info) => info.engine)).to.deep.equal(["piper", "espeak"]);
    expect(memory.requestFor(AUTO)).to.deep.equal({ ...AUTO, engine: "piper", engines: ["espeak"] });
    // The restart asked for piper and espeak only, so nothing is unavailable now; the first reasons stay.
    const again = memory.loaded(AUTO, loaded([loadedInfo("piper"), loadedInfo("espeak")]));
    expect(again.default.warnings).to.deep.equal(first.default.warnings);
    expect(again.loaded[0]).to.equal(again.default);
    expect(again.unavailable).to.deep.equal(NO_CHATTERBOX);
  });

  it("keeps auto when it loaded Chatterbox, so a restart that cannot load it still falls back", () => {
    const memory = new EngineLoadMemory();
    memory.loaded(AUTO, loaded([loadedInfo("chatterbox"), loadedInfo("piper")]));
    expect(memory.requestFor(AUTO)).to.deep.equal({ ...AUTO, engines: ["piper"] });
  });

  it("adds no note for a configured engine, and reports what a later load could not load", () => {
    const memory = new EngineLoadMemory();
    const espeak: ModelLoadRequest = { ...AUTO, engine: "espeak", engines: ["piper"] };
    expect(memory.loaded(espeak, loaded([loadedInfo("espeak"), loadedInfo("piper")])).default.warnings).to.deep.equal([]);
    const broken = [{ engine: "piper" as const, reason: "voice file unreadable" }];
    expect(memory.loaded(espeak, loaded([loadedInfo("espeak")], broken)).unavailable).to.deep.equal(broken);
  });
});
