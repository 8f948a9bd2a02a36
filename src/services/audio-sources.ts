/**
 * Turns what a request names as audio (a reference voice, a VC source or target) into a file the server can
 * use: a name inside its library, or an http(s) URL downloaded safely into the request's own scratch folder
 * (see net/download-audio.ts). The folder lives until the request ends, so a download is never removed
 * before it is used, and two requests never share one.
 */
import { readFile, rm } from "node:fs/promises";
import type { AppConfig } from "../config/app-config.js";
import type { AudioInput } from "../domain/inference.js";
import type { HostResolver } from "../net/checked-addresses.js";
import { downloadAudio } from "../net/download-audio.js";
import { invalidUrl } from "../net/url-source-errors.js";
import { urlScheme, type NamedAudioStore } from "../storage/named-audio-store.js";
import { makeScratchDir } from "../storage/scratch.js";

export interface ResolvedSource {
  /** The file: in its library, or downloaded into the request's scratch folder. */
  path: string;
  /** The library file, for voice defaults and usage statistics; undefined for a download. */
  libraryPath: string | undefined;
  /** The URL after redirects, for a download. */
  finalUrl: string | undefined;
}

export interface AudioSourcesOptions {
  urlSources: AppConfig["urlSources"];
  /** The scratch root (`paths.temp`). */
  tempRoot: string;
  /** Host name → addresses (tests); the system resolver by default. */
  resolveHost?: HostResolver;
}

export class AudioSources {
  constructor(private readonly options: AudioSourcesOptions) {}

  /** Sources for one request; `close()` it when the request is done with its files. */
  forRequest(signal: AbortSignal): RequestSources {
    return new RequestSources(this.options, signal);
  }
}

export class RequestSources {
  private scratchDir: Promise<string> | undefined;

  constructor(
    private readonly options: AudioSourcesOptions,
    private readonly signal: AbortSignal,
  ) {}

  /**
   * Resolves `text` from request field `field`: an http(s) URL is downloaded, anything else is looked up in
   * `library`.
   * @throws ValidationError (422) for other URL schemes and every refused URL; the errors of
   *   NamedAudioStore.resolve and downloadAudio.
   */
  async resolve(text: string, library: NamedAudioStore, field: string): Promise<ResolvedSource> {
    const scheme = urlScheme(text);
    if (scheme === undefined) {
      const path = await library.resolve(text, field);
      return { path, libraryPath: path, finalUrl: undefined };
    }
    if (scheme !== "http" && scheme !== "https") {
      const msg = `a name inside ${library.label} or an http(s) URL is accepted, not a ${scheme}: URL`;
      throw invalidUrl(field, msg, "url_scheme");
    }
    const download = await downloadAudio(text, {
      settings: this.options.urlSources,
      scratchDir: await this.scratch(),
      field,
      signal: this.signal,
      resolve: this.options.resolveHost,
    });
    return { path: download.path, libraryPath: undefined, finalUrl: download.finalUrl };
  }

  /** Removes the downloads; the sources' files must not be used afterwards. */
  async close(): Promise<void> {
    const dir = await this.scratchDir?.catch(() => undefined);
    if (dir) await rm(dir, { recursive: true, force: true });
  }

  private scratch(): Promise<string> {
    this.scratchDir ??= makeScratchDir(this.options.tempRoot, "sources-");
    return this.scratchDir;
  }
}

/**
 * What the engine is sent for a resolved source: the library path (the sidecar may read the libraries) or,
 * for a download in the server's scratch folder, the file's bytes.
 */
export async function engineInput(source: ResolvedSource): Promise<AudioInput> {
  if (source.libraryPath !== undefined) return { path: source.libraryPath };
  return { fileBytes: await readFile(source.path) };
}
