/**
 * Turns finished speech into the requested files in outputs/: a 32-bit float WAV in the request's temp
 * folder, MP3/FLAC encoded from it with ffmpeg, then only the requested formats published under one
 * generated name, each with its `<file>.<ext>.json` companion. The temp folder is always removed.
 */
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { MonoPcm } from "../../domain/audio.js";
import type { ExportFormat } from "../../domain/tts-fields.js";
import { encodeFile } from "../../audio/ffmpeg.js";
import { encodeWav } from "../../audio/wav.js";
import type { OutputFolder, OutputStore, PublishedFile } from "../../storage/output-store.js";

export interface TtsOutputRequest {
  speech: MonoPcm;
  formats: ExportFormat[];
  folder: OutputFolder;
  /** The file stem for a naming attempt (a fresh timestamp each time). */
  stemFor(attempt: number): string;
  /** Companion metadata, given the published files. */
  metadataFor(files: PublishedFile[]): object;
  signal?: AbortSignal;
}

export class TtsOutputWriter {
  constructor(
    private readonly outputs: OutputStore,
    private readonly tempRoot: string,
  ) {}

  async write(request: TtsOutputRequest): Promise<PublishedFile[]> {
    await mkdir(this.tempRoot, { recursive: true });
    const scratch = await mkdtemp(join(this.tempRoot, "tts-"));
    try {
      const wavPath = join(scratch, "speech.wav");
      await writeFile(wavPath, encodeWav(request.speech));
      const files = await Promise.all(
        request.formats.map(async (format) => ({ format, sourcePath: await this.encoded(wavPath, format, request) })),
      );
      return await this.outputs.publish({
        folder: request.folder,
        files,
        stemFor: request.stemFor,
        metadataFor: request.metadataFor,
      });
    } finally {
      await rm(scratch, { recursive: true, force: true });
    }
  }

  private async encoded(wavPath: string, format: ExportFormat, request: TtsOutputRequest): Promise<string> {
    if (format === "wav") return wavPath;
    const outputPath = wavPath.replace(/\.wav$/, `.${format}`);
    await encodeFile({ inputPath: wavPath, outputPath, format, ...(request.signal ? { signal: request.signal } : {}) });
    return outputPath;
  }
}
