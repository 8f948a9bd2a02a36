/**
 * multipart/form-data for the upload routes: the file is streamed into a per-request scratch folder (never
 * held whole in memory) with a size limit, and the folder is removed when the request ends, whatever
 * happened, so an oversized or refused upload leaves nothing behind.
 */
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { join } from "node:path";
import type { Context, Middleware, Next } from "koa";
import { koaBody } from "koa-body";
import {
  BadRequestError,
  PayloadTooLargeError,
  UnsupportedMediaTypeError,
  ValidationError,
} from "../../domain/errors.js";
import type { UploadedFile } from "../../services/library/audio-upload.js";

export interface MultipartOptions {
  /** Where per-request scratch folders are made. */
  tempRoot: string;
  /** The file field, e.g. `voice_file`. */
  fileField: string;
  maxFileBytes: number;
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
    await mkdir(options.tempRoot, { recursive: true });
    const scratch = await mkdtemp(join(options.tempRoot, "upload-"));
    try {
      await parser(options, scratch)(ctx, next);
    } finally {
      await rm(scratch, { recursive: true, force: true });
    }
  };
}

function parser(options: MultipartOptions, scratch: string): Middleware {
  const megabytes = (options.maxFileBytes / 1024 / 1024).toFixed(0);
  return koaBody({
    multipart: true,
    json: false,
    urlencoded: false,
    text: false,
    formidable: {
      uploadDir: scratch,
      maxFileSize: options.maxFileBytes,
      maxTotalFileSize: options.maxFileBytes,
      maxFiles: 1,
      maxFields: MAX_FIELDS,
      maxFieldsSize: MAX_FIELDS_BYTES,
      // Empty files get our own, clearer 400 after parsing.
      allowEmptyFiles: true,
      minFileSize: 0,
    },
    onError: (error) => {
      const status = (error as { httpCode?: number }).httpCode;
      if (status === 413) {
        throw new PayloadTooLargeError(
          `The upload is larger than the limit of ${megabytes} MiB, or sends more than one file`,
        );
      }
      throw new BadRequestError(`The multipart body could not be read: ${error.message}`);
    },
  });
}

interface FormidableFile {
  filepath: string;
  originalFilename: string | null;
  size: number;
}

/** The one uploaded file of `field`; 422 when it is missing. */
export function uploadedFile(ctx: Context, field: string): UploadedFile {
  const files = (ctx.request as { files?: Record<string, FormidableFile | FormidableFile[]> }).files ?? {};
  const value = files[field];
  const file = Array.isArray(value) ? value[0] : value;
  if (!file) {
    const others = Object.keys(files);
    const hint = others.length > 0 ? ` (a file was sent as '${others.join("', '")}')` : "";
    throw new ValidationError(`${field}: a file is required${hint}`, [
      { loc: ["body", field], msg: `a file is required${hint}`, type: "missing" },
    ]);
  }
  return { path: file.filepath, originalName: file.originalFilename ?? undefined, sizeBytes: file.size };
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
