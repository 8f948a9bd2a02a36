/**
 * Downloads a reference voice or VC source given by http(s) URL into the caller's per-request scratch folder,
 * safely: off unless `url_sources.enabled`, only public hosts unless allow-listed (every redirect too, and the
 * connection goes to the address that was checked), a size cap, one deadline for the whole download, and the
 * content must be audio. The file is the caller's until it removes its scratch folder (the original deleted its
 * download before using it and gave two downloads the same name; spec §4.11).
 */
import { randomUUID } from "node:crypto";
import { once } from "node:events";
import { createWriteStream } from "node:fs";
import { rename, rm } from "node:fs/promises";
import type { IncomingMessage } from "node:http";
import { join } from "node:path";
import { pipeline } from "node:stream/promises";
import { ACCEPTED_AUDIO, sniffAudioFile } from "../audio/sniff-audio.js";
import type { AppConfig } from "../config/app-config.js";
import { ClientGoneError, DomainError, PayloadTooLargeError, UnsupportedMediaTypeError } from "../domain/errors.js";
import { AllowList } from "./allow-list.js";
import { systemResolver, type HostResolver } from "./checked-addresses.js";
import { getFollowingRedirects, parseHttpUrl } from "./http-get.js";
import { UpstreamError, UpstreamTimeoutError } from "../domain/errors.js";
import { invalidUrl } from "./url-source-errors.js";

export interface DownloadAudioOptions {
  settings: AppConfig["urlSources"];
  /** A folder of this request only; the file is created in it under a unique name. */
  scratchDir: string;
  /** The request field the URL came from, named in every error. */
  field: string;
  /** Aborts the download (the client went away): rejects with ClientGoneError. */
  signal?: AbortSignal | undefined;
  /** Host name → addresses; the system resolver by default. */
  resolve?: HostResolver | undefined;
  /** Extra trusted certificates (PEM) for https, e.g. a private CA. */
  ca?: string | Buffer | Array<string | Buffer> | undefined;
}

export interface DownloadedAudio {
  /** Absolute path inside scratchDir, with the extension of the sniffed format. */
  path: string;
  bytes: number;
  /** The Content-Type the server sent (not trusted: the content was sniffed). */
  contentType: string | undefined;
  /** The URL after redirects. */
  finalUrl: string;
  /** The sniffed format: wav, mp3, flac, ogg, opus, m4a or webm. */
  format: string;
}

const MIB = 1024 * 1024;

export async function downloadAudio(url: string, options: DownloadAudioOptions): Promise<DownloadedAudio> {
  const { settings, field } = options;
  if (!settings.enabled) {
    const msg = "URL sources are disabled on this server (config url_sources.enabled); send a file name";
    throw invalidUrl(field, msg, "url_sources_disabled");
  }
  const start = parseHttpUrl(url, field);
  const allow = AllowList.parse(settings.allowHosts);
  const deadline = AbortSignal.timeout(settings.timeoutMs);
  const signal = options.signal ? AbortSignal.any([options.signal, deadline]) : deadline;
  const partPath = join(options.scratchDir, `url-source-${randomUUID()}.part`);
  let current = start;
  try {
    const { response, url: final } = await getFollowingRedirects(start, {
      allow,
      signal,
      field,
      resolve: options.resolve ?? systemResolver,
      ca: options.ca,
      maxRedirects: settings.maxRedirects,
      onRedirect: (to) => (current = to),
    });
    const bytes = await saveBody(response, { path: partPath, maxBytes: settings.maxBytes, field });
    const contentType = response.headers["content-type"];
    const format = await sniffAudio(partPath, field, contentType);
    const path = partPath.replace(/\.part$/, `.${format}`);
    await rename(partPath, path);
    return { path, bytes, contentType, finalUrl: final.href, format };
  } catch (error) {
    await rm(partPath, { force: true });
    throw translate(error, {
      deadline,
      caller: options.signal,
      field,
      host: current.host,
      timeoutMs: settings.timeoutMs,
    });
  }
}

/** Streams the body to `path`, stopping (413) as soon as it passes the cap, or before reading when it says so. */
async function saveBody(
  response: IncomingMessage,
  target: { path: string; maxBytes: number; field: string },
): Promise<number> {
  const { path, maxBytes, field } = target;
  const declared = Number(response.headers["content-length"] ?? Number.NaN);
  if (Number.isFinite(declared) && declared > maxBytes) {
    response.destroy();
    throw tooLarge(field, maxBytes, ` (the server announced ${declared} bytes)`);
  }
  let bytes = 0;
  const capped = async function* (chunks: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
    for await (const chunk of chunks) {
      bytes += chunk.length;
      if (bytes > maxBytes) throw tooLarge(field, maxBytes, "");
      yield chunk;
    }
  };
  const file = createWriteStream(path, { flags: "wx" });
  try {
    await pipeline(response, capped, file);
  } catch (error) {
    // The file opens asynchronously: wait until it is closed, or it may appear after the caller removed it.
    if (!file.closed) await once(file, "close");
    throw error;
  }
  if (bytes === 0) throw invalidUrl(field, "the URL returned no content", "url_empty");
  return bytes;
}

function tooLarge(field: string, maxBytes: number, why: string): PayloadTooLargeError {
  const limit = `${Number((maxBytes / MIB).toFixed(2))} MB`;
  return new PayloadTooLargeError(`${field}: the download is larger than ${limit} (url_sources.max_mb)${why}`);
}

/** The audio format by content, not by the server's word or the URL's extension; 415 otherwise. */
async function sniffAudio(path: string, field: string, contentType: string | undefined): Promise<string> {
  const sniffed = await sniffAudioFile(path);
  if (sniffed.extension !== undefined) return sniffed.extension;
  const said = contentType ? `; the server called it ${contentType}` : "";
  throw new UnsupportedMediaTypeError(
    `${field}: the URL did not return audio in a supported format (it looks like ${sniffed.looksLike}${said}); ` +
      `send ${ACCEPTED_AUDIO}`,
  );
}

interface FailureContext {
  deadline: AbortSignal;
  caller: AbortSignal | undefined;
  field: string;
  host: string;
  timeoutMs: number;
}

/** Our own errors pass; aborts become timeout or client-gone; network failures become UpstreamError. */
function translate(error: unknown, context: FailureContext): unknown {
  if (error instanceof DomainError) return error;
  if (context.deadline.aborted) {
    const seconds = Number((context.timeoutMs / 1000).toFixed(3));
    const msg = `${context.field}: the download did not finish within ${seconds} s (url_sources.timeout_seconds)`;
    return new UpstreamTimeoutError(msg);
  }
  if (context.caller?.aborted) return new ClientGoneError("the client disconnected while a URL source was downloading");
  if (!isNetworkError(error)) return error;
  // Only the code: the message may name the address a host name resolved to.
  const msg = `${context.field}: could not download from ${context.host} (${error.code})`;
  return new UpstreamError(msg, "URL_SOURCE_UNREACHABLE");
}

/**
 * Socket, TLS and HTTP-parser failures, as opposed to our own file system errors (they carry a path) and
 * programming errors (Node's ERR_ codes other than TLS and a broken stream), which stay 500s.
 */
function isNetworkError(error: unknown): error is NodeJS.ErrnoException & { code: string } {
  const { code, path } = (error ?? {}) as NodeJS.ErrnoException;
  if (typeof code !== "string" || path !== undefined) return false;
  if (!code.startsWith("ERR_")) return true;
  return code.startsWith("ERR_TLS") || code.startsWith("ERR_SSL") || code === "ERR_STREAM_PREMATURE_CLOSE";
}
