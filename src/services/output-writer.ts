/**
 * Turns finished audio into the requested files in outputs/: one master, a 32-bit float WAV (speech from TTS
 * or voice conversion is written to one in the request's scratch folder; a concatenation brings its own); one
 * encode per requested format from it (in parallel, bounded by the core count); then every file published
 * under one stem, each with its `<file>.<ext>.json` companion. Any failed encode fails the whole request. The
 * scratch folder is always removed.
 */
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { ExportEncoder } from "../audio/export-encoder.js";
import { EXPORT_EXTENSIONS, type EncoderSettings } from "../audio/ffmpeg.js";
import { encodeWav } from "../audio/wav.js";
import type { MonoPcm } from "../domain/audio.js";
import type { ExportFormat, WavSampleFormat } from "../domain/tts-fields.js";
import type { FileToPublish, OutputFolder, OutputStore, PublishedFile } from "../storage/output-store.js";
import { withScratchDir } from "../storage/scratch.js";

export interface OutputWriterOptions {
  outputs: OutputStore;
  /** The scratch root (`paths.temp`); each request works in its own folder below it. */
  tempRoot: string;
  /** Bitrates of the lossy formats (config `audio`). */
  encoding: EncoderSettings;
  /** Replaces the ffmpeg encoder built from `encoding` (tests). */
  encoder?: ExportEncoder;
}

/** What every output request says: the formats, and where and under which name they are published. */
interface OutputRequest {
  /** Each is written once, in this order; `format` of the published files is the name asked for. */
  formats: readonly ExportFormat[];
  /** Sample encoding of the `wav` file; default `f32`, the master itself. */
  wavSampleFormat?: WavSampleFormat;
  folder: OutputFolder;
  /**
   * The file stem for a naming attempt: a fresh timestamp each time, so an attempt only fails on a name
   * taken in the meantime. A fixed stem throws on attempt 1 instead (the name is taken).
   */
  stemFor(attempt: number): string;
  /** Companion metadata, given the published files. */
  metadataFor(files: PublishedFile[]): object;
  signal?: AbortSignal;
  /** Files made from the finished master (captions, a chaptered book), published under the same stem. */
  derived?: readonly DerivedFile[];
}

/** A file made from the finished master WAV and published beside the audio under the same stem. */
export interface DerivedFile {
  /** Its extension, which also names it in the metadata's `files` (with the variant, when there is one). */
  format: string;
  /** Published as `<stem>_<variant>.<format>`, so it never takes the name of an export of the same format. */
  variant?: string;
  /** Writes the file at `outPath`, given the master WAV and how the exports are encoded. */
  make(masterPath: string, outPath: string, encode: DerivedEncoding): Promise<void>;
}

/** What a derived file may need of the request's exports. */
export interface DerivedEncoding {
  sampleRate: number;
  settings: EncoderSettings;
  wavSampleFormat?: WavSampleFormat | undefined;
  signal?: AbortSignal | undefined;
}

export interface SpeechOutputRequest extends OutputRequest {
  speech: MonoPcm;
  /** The audio before post-processing changed its timing, kept as `<stem>_original.wav` (32-bit float). */
  original?: MonoPcm | undefined;
}

export interface MasterOutputRequest extends OutputRequest {
  /** A finished 32-bit float WAV (mono or stereo) on disk; it is read, never moved or changed. */
  masterPath: string;
  sampleRate: number;
}

export class OutputWriter {
  private readonly encoder: ExportEncoder;

  constructor(private readonly options: OutputWriterOptions) {
    this.encoder = options.encoder ?? new ExportEncoder({ settings: options.encoding });
  }

  /**
   * Writes and publishes every requested format under one stem: `<stem>.wav|mp3|flac|opus|m4a|pcm`, and
   * `<stem>_original.wav` when `original` is given.
   * @throws AudioToolError when an encode fails (nothing is published then); the abort reason when `signal`
   *   aborts.
   */
  async write(request: SpeechOutputRequest): Promise<PublishedFile[]> {
    return this.inScratch(async (scratch) => {
      const masterPath = join(scratch, "master.wav");
      await writeFile(masterPath, encodeWav(request.speech));
      let originalPath: string | undefined;
      if (request.original) {
        originalPath = join(scratch, "original.wav");
        await writeFile(originalPath, encodeWav(request.original));
      }
      const master = { ...request, masterPath, sampleRate: request.speech.sampleRate };
      return this.encodeAndPublish(master, scratch, originalPath);
    });
  }

  /**
   * Encodes and publishes every requested format from a master WAV that is already on disk (a
   * concatenation's, which may be hours long and is never read into memory here).
   * @throws as {@link write}.
   */
  async writeFromMaster(request: MasterOutputRequest): Promise<PublishedFile[]> {
    return this.inScratch((scratch) => this.encodeAndPublish(request, scratch, undefined));
  }

  private inScratch<T>(work: (scratch: string) => Promise<T>): Promise<T> {
    return withScratchDir(this.options.tempRoot, "out-", work);
  }

  private async encodeAndPublish(
    request: MasterOutputRequest,
    scratch: string,
    originalPath: string | undefined,
  ): Promise<PublishedFile[]> {
    const encoded = await this.encoder.encodeAll({
      masterPath: request.masterPath,
      sampleRate: request.sampleRate,
      formats: request.formats,
      wavSampleFormat: request.wavSampleFormat ?? "f32",
      outputDir: scratch,
      ...(request.signal !== undefined ? { signal: request.signal } : {}),
    });
    const derived = await Promise.all(
      (request.derived ?? []).map(async ({ format, variant, make }) => {
        const sourcePath = join(scratch, `derived-${variant ?? ""}.${format}`);
        const { sampleRate, wavSampleFormat, signal } = request;
        await make(request.masterPath, sourcePath, {
          sampleRate,
          settings: this.options.encoding,
          wavSampleFormat,
          signal,
        });
        return { format, sourcePath, ...(variant ? { variant } : {}) };
      }),
    );
    return this.publish(request, encoded, [
      ...derived,
      ...(originalPath ? [{ format: "wav", sourcePath: originalPath, variant: "original" }] : []),
    ]);
  }

  /**
   * The output store names files `<stem>.<format>`, so files go in under their extension (`m4a` for aac) and
   * come back out, to the metadata and the caller, under the format name that was asked for.
   */
  private async publish(
    request: OutputRequest,
    encoded: Map<ExportFormat, string>,
    others: FileToPublish[],
  ): Promise<PublishedFile[]> {
    const formatOf = new Map([...encoded.keys()].map((format) => [EXPORT_EXTENSIONS[format], format]));
    const asRequested = (files: PublishedFile[]) =>
      files.map((file) => ({ ...file, format: formatOf.get(file.format) ?? file.format }));
    const published = await this.options.outputs.publish({
      folder: request.folder,
      files: [
        ...[...encoded].map(([format, sourcePath]) => ({ format: EXPORT_EXTENSIONS[format], sourcePath })),
        ...others,
      ],
      stemFor: request.stemFor,
      metadataFor: (files) => request.metadataFor(asRequested(files)),
    });
    return asRequested(published);
  }
}
