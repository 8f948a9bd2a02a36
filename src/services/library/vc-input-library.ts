/** The VC input library (vc_inputs/): source recordings for voice conversion, uploaded with a description. */
import type { IndexedFile } from "../../storage/library/library-entry.js";
import type { TranscriptionService } from "../stt/transcription-service.js";
import { checkUploadedAudio, type UploadedFile } from "./audio-upload.js";
import type { LibraryCatalog } from "./library-catalog.js";

export interface VcInputUpload {
  file: UploadedFile;
  /** What the recording says or is; searchable. Unset: filled in by speech recognition when `transcribe`. */
  text?: string | undefined;
  /** Fill a missing `text` by speech recognition (default true). */
  transcribe: boolean;
  signal: AbortSignal;
  /** Confined folder below vc_inputs/, '' for the root. */
  folder: string;
  overwrite: boolean;
}

/** Speech recognition for uploads that come without text, and the longest recording it is used on. */
export interface VcInputRecognition {
  stt: Pick<TranscriptionService, "textOf">;
  maxSeconds: number;
}

export class VcInputLibrary {
  constructor(
    readonly catalog: LibraryCatalog,
    private readonly recognition: VcInputRecognition,
  ) {}

  async upload(upload: VcInputUpload): Promise<{ entry: IndexedFile; warnings: string[] }> {
    const checked = await checkUploadedAudio(upload.file, "vc_input_file");
    const recognised =
      upload.text === undefined && upload.transcribe
        ? await this.recognise(upload, checked.probed.durationSeconds)
        : { text: upload.text, warnings: [] };
    const created = new Date().toISOString();
    const entry = await this.catalog.store.save({
      sourcePath: upload.file.path,
      folder: upload.folder,
      filename: checked.filename,
      overwrite: upload.overwrite,
      companion: {
        filename: checked.filename,
        folder_path: upload.folder === "" ? null : upload.folder,
        text: recognised.text ?? null,
        text_source: upload.text !== undefined ? "client" : recognised.text !== undefined ? "speech_recognition" : null,
        file_size_bytes: upload.file.sizeBytes,
        duration_seconds: checked.probed.durationSeconds,
        sample_rate: checked.probed.sampleRate,
        format: checked.format,
        created_date: created,
        upload_date: created,
      },
    });
    return { entry, warnings: [...checked.warnings, ...recognised.warnings] };
  }

  /** The recording's words, unless it is longer than recognition may take for an upload. */
  private async recognise(upload: VcInputUpload, seconds: number): Promise<{ text?: string; warnings: string[] }> {
    const { stt, maxSeconds } = this.recognition;
    if (seconds > maxSeconds) {
      const why = `text was not filled in by speech recognition: the recording is longer than ${maxSeconds} s`;
      return { warnings: [`${why} (stt.vc_input_max_seconds); send text, or use /v1/audio/transcriptions`] };
    }
    return stt.textOf(upload.file, "vc_input_file", { signal: upload.signal });
  }
}
