/**
 * multipart/form-data for the upload routes: files are streamed into a per-request scratch folder (never
 * held whole in memory) with size and count limits, and the folder is removed when the request ends,
 * whatever happened, so an oversized or refused upload leaves nothing behind.
 */
import type { Context, Middleware, Next } from "koa";
import { koaBody } from "koa-body";
import {
  BadRequestError,
  PayloadTooLargeError,
  UnsupportedMediaTypeError,
  ValidationError,
} from "../../domain/errors.js";
import type { UploadedFile } from "../../services/library/audio-upload.js";
import { withScratchDir } from "../../storage/scratch.js";

export interface MultipartOptions {
  /** Where per-request scratch folders are made. */
  tempRoot: string;
  /** The file field, e.g. `voice_file`. */
  fileField: string;
  /** Largest single file. */
  maxFileBytes: number;
  /** How many files the request may send (default 1); more than one, and they may repeat `fileField`. */
  maxFiles?: number;
  /** Largest sum of all files (default `maxFileBytes`, which is the limit when only one file is taken). */
  maxTotalFileBytes?: number;
}

const MAX_FIELDS = 50;
const MAX_FIELDS_BYTES = 1024 * 1024;

export function multipart(options: MultipartOptions): Middleware {
  return async function multipartMiddleware(ctx: Context, next: Next): Promise<void> {
    if (!ctx.request.is("multipart/form-data")) {
      throw new UnsupportedMediaTypeError(
        `${ctx.method} ${ctx.path} takes multipart/form-data with the file in '${options.fileField}'`,
      );
    }
    await withScratchDir(options.tempRoot, "upload-", (scratch) => {
      const sendOrder: object[] = [];
      return parser(
        options,
        scratch,
        sendOrder,
      )(ctx, () => {
        inSendOrder(formFiles(ctx), sendOrder);
        return next();
      });
    });
  };
}

/**
 * formidable lists a field's files in the order their writes to disk finished, so a small file sent after a
 * large one can come first; callers address uploads by index, so put them back in the order they were sent.
 */
function inSendOrder(files: Record<string, FormidableFile | FormidableFile[]>, sendOrder: object[]): void {
  for (const value of Object.values(files)) {
    if (Array.isArray(value)) value.sort((a, b) => sendOrder.indexOf(a) - sendOrder.indexOf(b));
  }
}

/** formidable's error codes for its limits (formidable/src/FormidableError.js). */
const TOTAL_SIZE_EXCEEDED = 1009;
const FILE_COUNT_EXCEEDED = 1015;

/** `100`, `2.5`: at most two decimals, none when whole. */
const mebibytes = (bytes: number) => String(Number((bytes / 1024 / 1024).toFixed(2)));

/** Says which limit an upload broke; one file per request keeps the message its callers document. */
function tooLarge(options: MultipartOptions, code: unknown): PayloadTooLargeError {
  const maxFiles = options.maxFiles ?? 1;
  if (maxFiles === 1) {
    return new PayloadTooLargeError(
      `The upload is larger than the limit of ${mebibytes(options.maxFileBytes)} MiB, or sends more than one file`,
    );
  }
  if (code === FILE_COUNT_EXCEEDED) return new PayloadTooLargeError(`The request sends more than ${maxFiles} files`);
  if (code === TOTAL_SIZE_EXCEEDED) {
    const total = mebibytes(options.maxTotalFileBytes ?? options.maxFileBytes);
    return new PayloadTooLargeError(`The uploads together are larger than the limit of ${total} MiB`);
  }
  return new PayloadTooLargeError(`An upload is larger than the limit of ${mebibytes(options.maxFileBytes)} MiB`);
}

function parser(options: MultipartOptions, scratch: string, sendOrder: object[]): Middleware {
  return koaBody({
    multipart: true,
    json: false,
    urlencoded: false,
    text: false,
    formidable: {
      uploadDir: scratch,
      maxFileSize: options.maxFileBytes,
      maxTotalFileSize: options.maxTotalFileBytes ?? options.maxFileBytes,
      maxFiles: options.maxFiles ?? 1,
      maxFields: MAX_FIELDS,
      maxFieldsSize: MAX_FIELDS_BYTES,
      // Empty files get our own, clearer 400 after parsing.
      allowEmptyFiles: true,
      minFileSize: 0,
      onFileBegin: (_name, file) => void sendOrder.push(file),
    },
    onError: (error) => {
      const { httpCode, code } = error as { httpCode?: number; code?: unknown };
      if (httpCode === 413) throw tooLarge(options, code);
      throw new BadRequestError(`The multipart body could not be read: ${error.message}`);
    },
  });
}

interface FormidableFile {
  filepath: string;
  originalFilename: string | null;
  size: number;
}

function formFiles(ctx: Context): Record<string, FormidableFile | FormidableFile[]> {
  return (ctx.request as { files?: Record<string, FormidableFile | FormidableFile[]> }).files ?? {};
}

const asUploadedFile = (file: FormidableFile): UploadedFile => ({
  path: file.filepath,
  originalName: file.originalFilename ?? undefined,
  sizeBytes: file.size,
});

/** The one uploaded file of `field`; 422 when it is missing. */
export function uploadedFile(ctx: Context, field: string): UploadedFile {
  const files = formFiles(ctx);
  const value = files[field];
  const file = Array.isArray(value) ? value[0] : value;
  if (!file) {
    const others = Object.keys(files);
    const hint = others.length > 0 ? ` (a file was sent as '${others.join("', '")}')` : "";
    throw new ValidationError(`${field}: a file is required${hint}`, [
      { loc: ["body", field], msg: `a file is required${hint}`, type: "missing" },
    ]);
  }
  return asUploadedFile(file);
}

/**
 * Every file sent as `field`, in the order they were sent (none is fine); 422 when files came under another
 * name, since they would otherwise be left unused without a word.
 */
export function uploadedFiles(ctx: Context, field: string): UploadedFile[] {
  const files = formFiles(ctx);
  const others = Object.keys(files).filter((name) => name !== field);
  if (others.length > 0) {
    const msg = `files go in '${field}' (a file was sent as '${others.join("', '")}')`;
    throw new ValidationError(`${field}: ${msg}`, [{ loc: ["body", others[0]!], msg, type: "value_error" }]);
  }
  const value = files[field];
  return (value === undefined ? [] : Array.isArray(value) ? value : [value]).map(asUploadedFile);
}

/** A text field of the form, trimmed; undefined when absent or empty; 422 when sent twice. */
export function formField(ctx: Context, field: string): string | undefined {
  const value = (ctx.request.body as Record<string, unknown> | undefined)?.[field];
  if (Array.isArray(value)) {
    throw new ValidationError(`${field}: must be given once`, [
      { loc: ["body", field], msg: "must be given once", type: "value_error" },
    ]);
  }
  const text = typeof value === "string" ? value.trim() : undefined;
  return text === "" ? undefined : text;
}
