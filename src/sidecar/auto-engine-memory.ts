/**
 * Remembers, for the life of the server, that engine `auto` fell back to espeak. Deciding it again at every
 * restart would repeat the slow part of the decision (importing torch, probing for weights or the hub), so
 * a crashed sidecar would come back in tens of seconds instead of one or two. Restart the server to retry.
 */
import type { ModelInfo } from "../domain/inference.js";
import type { ModelLoadRequest } from "./sidecar-client.js";

export class AutoEngineMemory {
  private fallbackWarnings: string[] | undefined;

  /** What to ask LoadModel for: the configured request, or espeak once `auto` has fallen back to it. */
  requestFor(configured: ModelLoadRequest): ModelLoadRequest {
    return configured.engine === "auto" && this.fallbackWarnings ? { ...configured, engine: "espeak" } : configured;
  }

  /**
   * Notes what a load produced and returns the model info to report: after a pinned espeak load, the
   * warnings of the original fallback are kept, so health still says why Chatterbox is not speaking.
   */
  loaded(configured: ModelLoadRequest, info: ModelInfo): ModelInfo {
    if (configured.engine !== "auto" || info.engine !== "espeak") return info;
    if (this.fallbackWarnings === undefined) {
      this.fallbackWarnings = [
        ...info.warnings,
        "restarts of the sidecar load espeak directly; restart the server to try Chatterbox again",
      ];
      return { ...info, warnings: [...this.fallbackWarnings] };
    }
    return { ...info, warnings: [...this.fallbackWarnings, ...info.warnings] };
  }
}
