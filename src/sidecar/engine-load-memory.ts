/**
 * Remembers, for the life of the server, which engine `auto` fell back to (piper or espeak). Deciding it again
 * at every restart would repeat the slow part of the decision (importing torch, probing for weights or the
 * hub), so a crashed sidecar would come back in tens of seconds instead of one or two. Restart the server to
 * retry.
 */
import type { EngineName, ModelInfo } from "../domain/inference.js";
import type { ModelLoadRequest } from "./sidecar-client.js";

export class AutoEngineMemory {
  private fallback: { engine: EngineName; warnings: string[] } | undefined;

  /** What to ask LoadModel for: the configured request, or the engine `auto` has fallen back to. */
  requestFor(configured: ModelLoadRequest): ModelLoadRequest {
    return configured.engine === "auto" && this.fallback ? { ...configured, engine: this.fallback.engine } : configured;
  }

  /**
   * Notes what a load produced and returns the model info to report: after a pinned load of the fallback,
   * the warnings of the original fallback are kept, so health still says why Chatterbox is not speaking.
   */
  loaded(configured: ModelLoadRequest, info: ModelInfo): ModelInfo {
    if (configured.engine !== "auto" || info.engine === "chatterbox") return info;
    if (this.fallback === undefined) {
      const warnings = [
        ...info.warnings,
        `restarts of the sidecar load ${info.engine} directly; restart the server to try Chatterbox again`,
      ];
      this.fallback = { engine: info.engine, warnings };
      return { ...info, warnings: [...warnings] };
    }
    return { ...info, warnings: [...this.fallback.warnings, ...info.warnings] };
  }
}
