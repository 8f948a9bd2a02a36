/**
 * Remembers, for the life of the server, what the first successful load produced: the engine `auto` fell back
 * to (piper or espeak) and the extra engines that loaded. Restarts of the sidecar ask for those directly, since
 * deciding again would repeat the slow part of the decision (importing torch, probing for weights or the hub)
 * and a crashed sidecar would come back in tens of seconds instead of one or two. Restart the server to retry.
 * An `auto` that loaded Chatterbox stays `auto`, so a restart that cannot load it still falls back.
 */
import type { LoadedEngines } from "../domain/inference.js";
import type { ModelLoadRequest } from "./sidecar-client.js";

interface FirstLoad {
  request: Pick<ModelLoadRequest, "engine" | "engines">;
  /** Reported with every later load: why `auto` fell back, and that restarts will not retry. */
  warnings: string[];
  unavailable: LoadedEngines["unavailable"];
}

export class EngineLoadMemory {
  private first: FirstLoad | undefined;

  /** What to ask LoadModel for: the configured request, or what loaded the first time. */
  requestFor(configured: ModelLoadRequest): ModelLoadRequest {
    return this.first ? { ...configured, ...this.first.request } : configured;
  }

  /**
   * Notes what a load produced and returns the engines to report: after the first load, the warnings and the
   * unavailable engines of that load are kept, so health still says why Chatterbox is not speaking.
   */
  loaded(configured: ModelLoadRequest, engines: LoadedEngines): LoadedEngines {
    const later = this.first !== undefined;
    const first = (this.first ??= remember(configured, engines));
    const warnings = [...first.warnings, ...(later ? engines.default.warnings : [])];
    const defaultInfo = { ...engines.default, warnings };
    return {
      default: defaultInfo,
      loaded: [defaultInfo, ...engines.loaded.slice(1)],
      unavailable: [...first.unavailable, ...(later ? engines.unavailable : [])],
    };
  }
}

function remember(configured: ModelLoadRequest, engines: LoadedEngines): FirstLoad {
  const engine = engines.default.engine;
  const fellBack = configured.engine === "auto" && engine !== "chatterbox";
  const note = `restarts of the sidecar load ${engine} directly; restart the server to try Chatterbox again`;
  return {
    request: { engine: fellBack ? engine : configured.engine, engines: engines.loaded.slice(1).map((i) => i.engine) },
    warnings: [...engines.default.warnings, ...(fellBack ? [note] : [])],
    unavailable: engines.unavailable,
  };
}
