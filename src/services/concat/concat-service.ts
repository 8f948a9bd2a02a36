/**
 * Concatenation (spec §3.17, §3.18) for both endpoints: every entry resolved and checked before any audio
 * work, the client's name checked (409) before the work too, then ONE run of the audio core writes a master
 * WAV in the request's scratch folder (bounded memory, whatever the length) and every requested format is
 * encoded from that one master. The original re-ran the whole join per format, each with other random pauses.
 */
import { join } from "node:path";
import type { ConcatOptions, ConcatReport } from "../../audio/concat/types.js";
import { ClientGoneError } from "../../domain/errors.js";
import type { Logger } from "../../logging.js";
import type { OutputFolder, OutputStore, PublishedFile } from "../../storage/output-store.js";
import type { OutputNamer } from "../output-name.js";
import type { OutputWriter } from "../output-writer.js";
import { resolveSeed, type RandomSource } from "../seeds.js";
import { resolveItems, type ResolvedItems } from "./concat-items.js";
import { concatMetadata, generationInfo, type ConcatFacts } from "./concat-metadata.js";
import { progressLogger } from "./concat-progress.js";
import type { ConcatRequest } from "./concat-request.js";
import { fixedTarget, type FixedTarget, type OutputReplacer } from "./concat-target.js";
import { joinWarnings, requestWarnings } from "./concat-warnings.js";
import { withScratchDir } from "../../storage/scratch.js";

/** The audio core's entry point (src/audio/concat/concatenate.ts), passed in so only its contract is depended on. */
export type Concatenate = (options: ConcatOptions) => Promise<ConcatReport>;

export interface ConcatServiceOptions {
  outputs: OutputStore;
  writer: OutputWriter;
  namer: OutputNamer;
  /** Removes the files an `overwrite` replaces. */
  replacer: OutputReplacer;
  /** The scratch root (`paths.temp`); each request works in its own folder below it. */
  tempRoot: string;
  /** Output rate and channels from config (`concat.*`); 0 takes the first clip's. */
  layout: { sampleRate: number; channels: 0 | 1 | 2 };
  concatenate: Concatenate;
  /** Draws the pause seed when the request has none. */
  random: RandomSource;
}

export interface ConcatRunOptions {
  signal: AbortSignal;
  log: Logger;
}

export interface ConcatResult {
  files: PublishedFile[];
  processingTimeSeconds: number;
  warnings: string[];
  durationSeconds: number;
  /** Audio entries (server files and uploads); silences are not counted. */
  fileCount: number;
  seedUsed: number | null;
  /** `generation_info` of the companion. */
  metadata: Record<string, unknown>;
}

/** Progress lines for long joins: about every 10 s, and every 100 clips. */
const PROGRESS = { intervalMs: 10_000, everyClips: 100 };

/** What is settled before the audio work: where the result goes, the items, the layout and the seed. */
interface Prepared {
  folder: OutputFolder;
  target: FixedTarget | undefined;
  resolved: ResolvedItems;
  seed: number;
  /** Seconds since the request started. */
  elapsed: () => number;
}

export class ConcatService {
  constructor(private readonly options: ConcatServiceOptions) {}

  async run(request: ConcatRequest, { signal, log }: ConcatRunOptions): Promise<ConcatResult> {
    const started = performance.now();
    const folder = await this.options.outputs.folder(request.project);
    const target = await this.fixedTarget(request, folder);
    const resolved = await resolveItems(request, this.options.outputs);
    const prepared: Prepared = {
      folder,
      target,
      resolved,
      seed: resolveSeed(request.settings.seed, this.options.random),
      elapsed: () => Math.round(performance.now() - started) / 1000,
    };
    log.info({ items: resolved.items.length, mode: request.mode }, "concat: joining");
    const joined = this.inScratch(async (scratch) => {
      const masterPath = join(scratch, "master.wav");
      const report = await this.options.concatenate({
        ...coreOptions(request, prepared, this.options.layout),
        scratchDir: scratch,
        masterPath,
        signal,
        onProgress: progressLogger(log, PROGRESS),
      });
      return this.publish(request, prepared, report, { masterPath, signal });
    });
    // A client that left is not an error of ours: logged as 499, not as a failure with its stack.
    return joined.catch((error: unknown) => {
      throw signal.aborted ? new ClientGoneError("the client disconnected while the audio was being joined") : error;
    });
  }

  /** Encodes and publishes every format from the one master, each file with the companion. */
  private async publish(
    request: ConcatRequest,
    prepared: Prepared,
    report: ConcatReport,
    master: { masterPath: string; signal: AbortSignal },
  ): Promise<ConcatResult> {
    const { settings } = request;
    const { target } = prepared;
    const seedUsed = report.gaps.some((gap) => gap.kind === "pause") ? prepared.seed : null;
    const warnings = [...(target?.warnings ?? []), ...requestWarnings(request), ...joinWarnings(request, report)];
    const facts = (): ConcatFacts => ({
      report,
      sourceFiles: prepared.resolved.sourceFiles,
      seedUsed,
      warnings,
      processingTimeSeconds: prepared.elapsed(),
    });
    for (const path of target?.replaces ?? []) await this.options.replacer.remove(path);
    const files = await this.options.writer.writeFromMaster({
      ...master,
      sampleRate: report.layout.sampleRate,
      formats: settings.export_formats,
      wavSampleFormat: settings.wav_sample_format,
      folder: prepared.folder,
      stemFor: target?.stemFor ?? (() => this.generatedStem(request, report)),
      metadataFor: (published) => concatMetadata(request, facts(), published),
    });
    return {
      files,
      processingTimeSeconds: prepared.elapsed(),
      warnings,
      durationSeconds: report.durationSeconds,
      fileCount: clipCount(report),
      seedUsed,
      metadata: generationInfo(request, facts()),
    };
  }

  private async fixedTarget(request: ConcatRequest, folder: OutputFolder): Promise<FixedTarget | undefined> {
    const { output_filename: name, export_formats: formats, overwrite } = request.settings;
    if (name === null) return undefined;
    return fixedTarget({ name, formats, folder, overwrite, outputs: this.options.outputs });
  }

  /** `concat_…` / `mixed_…` with the parts of what was really done (spec §4.1). */
  private generatedStem(request: ConcatRequest, report: ConcatReport): string {
    const { settings } = request;
    const clips = clipCount(report);
    const paused = report.gaps.some((gap) => gap.kind === "pause");
    return this.options.namer.concat(request.mode, {
      fileCount: clips,
      silenceCount: report.items.length - clips,
      pause: paused ? { baseMs: settings.pause_duration_ms, variationMs: settings.pause_variation_ms } : undefined,
      crossfadeMs: settings.crossfade_ms,
      normalizeLevels: settings.normalize_levels,
      trim: settings.trim,
      trimThresholdMs: settings.trim_threshold_ms,
    });
  }

  private inScratch<T>(work: (scratch: string) => Promise<T>): Promise<T> {
    return withScratchDir(this.options.tempRoot, "concat-", work);
  }
}

function clipCount(report: ConcatReport): number {
  return report.items.filter((item) => item.kind === "clip").length;
}

/** The request's settings in the audio core's terms; a pause of 0 and a trim that is off are left out. */
function coreOptions(request: ConcatRequest, prepared: Prepared, configured: ConcatServiceOptions["layout"]) {
  const { settings } = request;
  const { pause_duration_ms: baseMs, pause_variation_ms: variationMs, loudness_target_lufs: lufs } = settings;
  return {
    items: prepared.resolved.items,
    // A part configured as 0 is the first clip's, which the core works out.
    layout: {
      ...(configured.sampleRate > 0 ? { sampleRate: configured.sampleRate } : {}),
      ...(configured.channels > 0 ? { channels: configured.channels as 1 | 2 } : {}),
    },
    normalizeLevels: settings.normalize_levels,
    crossfadeMs: settings.crossfade_ms,
    ...(baseMs > 0 ? { pause: { baseMs, variationMs, seed: prepared.seed } } : {}),
    ...(settings.trim ? { trim: { thresholdMs: settings.trim_threshold_ms } } : {}),
    ...(lufs !== null ? { loudnessTargetLufs: lufs } : {}),
  };
}
