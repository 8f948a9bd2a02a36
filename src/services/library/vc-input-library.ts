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

export class VcInputLibrary {
  constructor(
    readonly catalog: LibraryCatalog,
    private readonly stt: Pick<TranscriptionService, "textOf">,
  ) {}

  async upload(upload: VcInputUpload): Promise<{ entry: IndexedFile; warnings: string[] }> {
    const checked = await checkUploadedAudio(upload.file, "vc_input_file");
    const recognised =
      upload.text === undefined && upload.transcribe
        ? await this.stt.textOf(upload.file, "vc_input_file", { signal: upload.signal })
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
}
