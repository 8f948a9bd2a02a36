/**
 * Checks an uploaded file before it enters a library: not empty (400), audio by its content and not by its
 * name (a text file called `x.wav` is 415), and readable by ffprobe, which also measures it (415 with the
 * reason otherwise). The stored name is the client's, cleaned (spec §4.3), with the extension of what the
 * file really is.
 */
import { NotAudioError, probeAudio, type ProbedAudio } from "../../audio/probe.js";
import { ACCEPTED_AUDIO, sniffAudioFile } from "../../audio/sniff-audio.js";
import { BadRequestError, UnsupportedMediaTypeError, type FieldIssue } from "../../domain/errors.js";
import { cleanFileName } from "../../storage/confine.js";
import { extensionOf, stemOf } from "../../storage/library/library-entry.js";

/** A file received in a multipart request, already streamed to a scratch folder. */
export interface UploadedFile {
  path: string;
  /** The name the client gave it (may be missing). */
  originalName: string | undefined;
  sizeBytes: number;
}

export interface CheckedAudio {
  /** The cleaned client name with the extension of the real format. */
  filename: string;
  format: string;
  probed: ProbedAudio;
  /** E.g. that the extension was corrected. */
  warnings: string[];
}

/** Extensions that name the same format, so a name using one is kept as it is. */
const SAME_FORMAT: Readonly<Record<string, readonly string[]>> = {
  ogg: ["ogg", "oga"],
  opus: ["opus", "ogg"],
  m4a: ["m4a", "mp4"],
};

export async function checkUploadedAudio(file: UploadedFile, field: string): Promise<CheckedAudio> {
  const format = await uploadedAudioFormat(file, field);
  let probed: ProbedAudio;
  try {
    probed = await probeAudio(file.path);
  } catch (error) {
    if (error instanceof NotAudioError)
      throw new UnsupportedMediaTypeError(`${field}: ${error.reason}`, issue(field, error.reason));
    throw error;
  }
  return { ...storedName(file.originalName, format), format, probed };
}

/**
 * The real format of an upload (its file extension), judged by its content.
 * @throws BadRequestError `EMPTY_FILE` (400), UnsupportedMediaTypeError (415) for anything but audio; both
 *   name `field` in their detail.
 */
export async function uploadedAudioFormat(file: UploadedFile, field: string): Promise<string> {
  if (file.sizeBytes === 0) {
    const msg = "the uploaded file is empty";
    throw new BadRequestError(`${field}: ${msg}`, "EMPTY_FILE", issue(field, msg));
  }
  const sniffed = await sniffAudioFile(file.path);
  if (sniffed.extension !== undefined) return sniffed.extension;
  const msg = `the file is not audio in a supported format (it looks like ${sniffed.looksLike}); send ${ACCEPTED_AUDIO}`;
  throw new UnsupportedMediaTypeError(`${field}: ${msg}`, issue(field, msg));
}

const issue = (field: string, msg: string): FieldIssue[] => [{ loc: ["body", field], msg, type: "value_error" }];

function storedName(originalName: string | undefined, format: string): { filename: string; warnings: string[] } {
  const cleaned = cleanFileName(originalName ?? "", `upload.${format}`);
  const extension = extensionOf(cleaned);
  if (extension === format || SAME_FORMAT[format]?.includes(extension)) return { filename: cleaned, warnings: [] };
  const filename = `${extension ? stemOf(cleaned) : cleaned}.${format}`;
  const was = extension ? `its name said ${extension.toUpperCase()}` : "its name had no extension";
  return {
    filename,
    warnings: [`the file was stored as '${filename}': its content is ${format.toUpperCase()} (${was})`],
  };
}
