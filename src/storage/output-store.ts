/**
 * The outputs/ folder: project folders created on demand, generated files published atomically under
 * unique names with a `<file>.<ext>.json` companion each, and confined reads for the static route.
 */
import { mkdir, rm, stat } from "node:fs/promises";
import { join } from "node:path";
import { NotFoundError } from "../domain/errors.js";
import { copyFileNoClobber, writeFileAtomic } from "./atomic-write.js";
import { resolveInside } from "./confine.js";

/** How many fresh names to try when a generated name is already taken. */
const NAME_ATTEMPTS = 20;

export interface OutputFolder {
  absolute: string;
  /** `/`-separated path below outputs/, `""` for the root. */
  relative: string;
}

export interface FileToPublish {
  format: string;
  /** A finished file anywhere (usually the request's temp folder); it is copied, not moved. */
  sourcePath: string;
  /** Names a second file of one format, published as `<stem>_<variant>.<format>` (e.g. `original`). */
  variant?: string;
}

export interface PublishedFile {
  format: string;
  /** Set for a variant file, as in FileToPublish. */
  variant?: string;
  filename: string;
  absolutePath: string;
  /** `/`-separated path below outputs/. */
  relativePath: string;
  /** Where GET serves it, e.g. `/outputs/book/ch1/tts_....wav`. */
  url: string;
}

export interface PublishRequest {
  folder: OutputFolder;
  files: FileToPublish[];
  /** Gives the file stem for an attempt; a new attempt must give a new stem. */
  stemFor(attempt: number): string;
  /** The companion JSON written next to every published file. */
  metadataFor(files: PublishedFile[]): object;
}

export class OutputStore {
  /**
   * @param onPublished told the relative paths of every published file set (the library indexes them), after
   *   their companions are written
   */
  constructor(
    readonly root: string,
    private readonly onPublished: (relativePaths: string[]) => Promise<void> = async () => undefined,
  ) {}

  /** The folder for a project (`project`/`folder` field), created on demand; undefined or "" is the root. */
  async folder(project: string | undefined, field = "project"): Promise<OutputFolder> {
    await mkdir(this.root, { recursive: true });
    const resolved = await resolveInside(this.root, project ?? "", field);
    await mkdir(resolved.absolute, { recursive: true });
    return resolved;
  }

  async publish(request: PublishRequest): Promise<PublishedFile[]> {
    for (let attempt = 0; attempt < NAME_ATTEMPTS; attempt += 1) {
      const published = await this.tryPublish(request, request.stemFor(attempt));
      if (published) {
        const metadata = `${JSON.stringify(request.metadataFor(published), null, 2)}\n`;
        await Promise.all(published.map((file) => writeFileAtomic(`${file.absolutePath}.json`, metadata)));
        await this.onPublished(published.map((file) => file.relativePath));
        return published;
      }
    }
    throw new Error(`could not find a free output name after ${NAME_ATTEMPTS} attempts`);
  }

  /** The absolute path of a file below outputs/ for serving; anything but a regular file inside the root is 404. */
  async resolveFile(path: string): Promise<string> {
    const { absolute } = await resolveInside(this.root, path, "path");
    const info = await stat(absolute).catch(() => undefined);
    if (!info?.isFile()) throw new NotFoundError(`Output file not found: ${path}`);
    return absolute;
  }

  /** Links every file under `stem`; if any name is taken, removes what it linked and returns undefined. */
  private async tryPublish(request: PublishRequest, stem: string): Promise<PublishedFile[] | undefined> {
    const done: PublishedFile[] = [];
    for (const file of request.files) {
      const entry = this.describe(request.folder, stem, file);
      if (!(await copyFileNoClobber(file.sourcePath, entry.absolutePath))) {
        await Promise.all(done.map((published) => rm(published.absolutePath, { force: true })));
        return undefined;
      }
      done.push(entry);
    }
    return done;
  }

  private describe(folder: OutputFolder, stem: string, file: FileToPublish): PublishedFile {
    const { format, variant } = file;
    const filename = variant === undefined ? `${stem}.${format}` : `${stem}_${variant}.${format}`;
    const relativePath = folder.relative ? `${folder.relative}/${filename}` : filename;
    return {
      format,
      ...(variant === undefined ? {} : { variant }),
      filename,
      absolutePath: join(folder.absolute, filename),
      relativePath,
      url: `/outputs/${relativePath.split("/").map(encodeURIComponent).join("/")}`,
    };
  }
}

/** How a published file is named in `files` maps and `X-Alternative-Formats`: its format, or `original_wav`. */
export function fileKey(file: Pick<PublishedFile, "format" | "variant">): string {
  return file.variant === undefined ? file.format : `${file.variant}_${file.format}`;
}
