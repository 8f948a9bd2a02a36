/**
 * Turns one master WAV into every requested export format: one encode per format, all from the same master,
 * run in parallel but never more at once than the machine has cores (each ffmpeg audio encode keeps one core
 * busy; more would only make every request slower). All or nothing: when one encode fails, the others are
 * stopped, every file they wrote is removed and the error is raised, so no format is ever silently missing.
 */
import { rm } from "node:fs/promises";
import { availableParallelism } from "node:os";
import { join } from "node:path";
import type { ExportFormat, WavSampleFormat } from "../domain/tts-fields.js";
import { EXPORT_EXTENSIONS, encodeFile, type EncodeFileOptions, type EncoderSettings } from "./ffmpeg.js";
import { TaskLimiter } from "./task-limiter.js";

/** Options of {@link ExportEncoder}. */
export interface ExportEncoderOptions {
  settings: EncoderSettings;
  /** Bounds concurrent encodes. Default: one slot per core, shared by every encoder of the process. */
  limiter?: TaskLimiter;
  /** Encodes one file; default {@link encodeFile} (tests pass fakes). */
  encode?: (options: EncodeFileOptions) => Promise<void>;
  ffmpegPath?: string;
}

/** What to encode. */
export interface ExportRequest {
  /** A mono 32-bit float WAV; the `wav` export in `f32` is this very file, not a copy. */
  masterPath: string;
  sampleRate: number;
  formats: readonly ExportFormat[];
  wavSampleFormat: WavSampleFormat;
  /** Where the encodes are written, as `export.<ext>` (so the master must have another name). */
  outputDir: string;
  signal?: AbortSignal;
}

/** One call of {@link ExportEncoder.encodeAll}, as its encodes see it. */
interface EncodeRun {
  request: ExportRequest;
  /** Aborts when the request's signal does or when any encode has failed. */
  signal: AbortSignal;
  /** Records the first failure and stops the other encodes. */
  fail(error: unknown): void;
}

/** The process-wide bound: TTS and VC writers share it, so concurrent requests cannot oversubscribe the CPU. */
const ENCODE_SLOTS = new TaskLimiter(availableParallelism());

export class ExportEncoder {
  constructor(private readonly options: ExportEncoderOptions) {}

  /**
   * Encodes every format once (duplicates are encoded once) and returns each format's file.
   * @throws the first encode's error (AudioToolError, or the abort reason when `signal` aborts), after the
   *   other encodes have stopped and their files are gone.
   */
  async encodeAll(request: ExportRequest): Promise<Map<ExportFormat, string>> {
    const stop = new AbortController();
    const signal = request.signal ? AbortSignal.any([request.signal, stop.signal]) : stop.signal;
    let failure: { error: unknown } | undefined;
    const run: EncodeRun = {
      request,
      signal,
      fail: (error) => {
        failure ??= { error };
        stop.abort(error);
      },
    };
    const outcomes = await Promise.allSettled(
      [...new Set(request.formats)].map(async (format) => [format, await this.encodeOne(format, run)] as const),
    );
    const done = outcomes.flatMap((outcome) => (outcome.status === "fulfilled" ? [outcome.value] : []));
    if (failure === undefined) return new Map(done);
    // Failed or stopped encodes removed their own partial files; the finished ones go too.
    await Promise.all(done.map(([, path]) => (path === request.masterPath ? undefined : rm(path, { force: true }))));
    throw failure.error;
  }

  private async encodeOne(format: ExportFormat, { request, signal, fail }: EncodeRun): Promise<string> {
    if (format === "wav" && request.wavSampleFormat === "f32") return request.masterPath;
    const outputPath = join(request.outputDir, `export.${EXPORT_EXTENSIONS[format]}`);
    const encode = this.options.encode ?? encodeFile;
    await (this.options.limiter ?? ENCODE_SLOTS).run(async () => {
      // A request stopped while this encode waited for a slot must not start it.
      signal.throwIfAborted();
      try {
        await encode({
          inputPath: request.masterPath,
          inputSampleRate: request.sampleRate,
          outputPath,
          format,
          wavSampleFormat: request.wavSampleFormat,
          settings: this.options.settings,
          signal,
          ...(this.options.ffmpegPath !== undefined ? { ffmpegPath: this.options.ffmpegPath } : {}),
        });
      } catch (error) {
        // Stop the others before this slot passes to an encode that is waiting for it.
        fail(error);
        throw error;
      }
    });
    return outputPath;
  }
}
