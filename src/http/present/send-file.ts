/**
 * Sends a file from disk with its content type, length and modification time, and honours a single byte
 * range (`Range: bytes=a-b`, `bytes=a-`, `bytes=-n`) so players can seek without downloading everything.
 */
import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import type { Context } from "koa";
import { NotFoundError } from "../../domain/errors.js";
import { mediaTypeFor } from "../../storage/media-types.js";

export interface SendFileOptions {
  /** Adds `Content-Disposition: attachment` with this name. */
  downloadName?: string;
}

export async function sendFile(ctx: Context, absolutePath: string, options: SendFileOptions = {}): Promise<void> {
  const info = await stat(absolutePath).catch(() => undefined);
  if (!info?.isFile()) throw new NotFoundError("File not found");
  ctx.set("Content-Type", mediaTypeFor(absolutePath));
  ctx.set("Accept-Ranges", "bytes");
  ctx.set("Last-Modified", info.mtime.toUTCString());
  if (options.downloadName) ctx.set("Content-Disposition", `attachment; filename="${options.downloadName}"`);
  const range = parseRange(ctx.get("Range"), info.size);
  if (range === "unsatisfiable") {
    ctx.status = 416;
    ctx.set("Content-Range", `bytes */${info.size}`);
    ctx.body = "";
    return;
  }
  const { start, end } = range ?? { start: 0, end: info.size - 1 };
  if (range) {
    ctx.status = 206;
    ctx.set("Content-Range", `bytes ${start}-${end}/${info.size}`);
  }
  ctx.set("Content-Length", String(Math.max(0, end - start + 1)));
  ctx.body = info.size === 0 ? "" : createReadStream(absolutePath, { start, end });
}

/** The one range asked for, undefined for none (or a form we do not serve, which RFC 9110 lets us ignore). */
function parseRange(header: string, size: number): { start: number; end: number } | "unsatisfiable" | undefined {
  const match = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!match || (match[1] === "" && match[2] === "")) return undefined;
  const [first, last] = [match[1] as string, match[2] as string];
  if (first === "") {
    const suffix = Number(last);
    return suffix === 0 || size === 0 ? "unsatisfiable" : { start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(first);
  const end = last === "" ? size - 1 : Math.min(Number(last), size - 1);
  return start >= size || end < start ? "unsatisfiable" : { start, end };
}
