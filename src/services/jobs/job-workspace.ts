/**
 * Each job's work folder (`<data>/jobs/<id>/`): the audio of every finished segment, kept after the job ends
 * (for `jobs.keep_segments_hours`, or until the job is deleted) so a re-render of one segment can re-assemble
 * the rest without speaking them again. A segment file
 * is the sample rate (uint32 LE) followed by the float32 LE samples, written atomically: after a crash a
 * file is either whole or absent.
 */
import { renameSync } from "node:fs";
import { access, mkdir, readdir, readFile, rm } from "node:fs/promises";
import { join } from "node:path";
import { f32leToFloat32, float32ToF32le } from "../../audio/pcm.js";
import type { MonoPcm } from "../../domain/audio.js";
import { writeFileAtomic } from "../../storage/atomic-write.js";

/** The suffix of a work folder being deleted. */
const DISCARDED = ".discarded";

/** Where the jobs' work folders live inside the data folder. */
export function jobsWorkRoot(dataDir: string): string {
  return join(dataDir, "jobs");
}

export class JobWorkspace {
  constructor(private readonly root: string) {}

  async saveSegment(jobId: string, index: number, pcm: MonoPcm): Promise<void> {
    await mkdir(this.folder(jobId), { recursive: true });
    const header = Buffer.alloc(4);
    header.writeUInt32LE(pcm.sampleRate);
    await writeFileAtomic(this.segmentPath(jobId, index), Buffer.concat([header, float32ToF32le(pcm.samples)]));
  }

  async loadSegment(jobId: string, index: number): Promise<MonoPcm> {
    const bytes = await readFile(this.segmentPath(jobId, index));
    return { sampleRate: bytes.readUInt32LE(0), samples: f32leToFloat32(bytes.subarray(4)) };
  }

  async hasSegment(jobId: string, index: number): Promise<boolean> {
    return access(this.segmentPath(jobId, index)).then(
      () => true,
      () => false,
    );
  }

  /**
   * Takes the job's folder away at once (a rename) and then deletes it: a run of the job that starts meanwhile
   * finds no segment audio, never half of it.
   */
  remove(jobId: string): Promise<void> {
    const doomed = `${this.folder(jobId)}${DISCARDED}`;
    try {
      renameSync(this.folder(jobId), doomed);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return Promise.resolve();
      return Promise.reject(error);
    }
    return rm(doomed, { recursive: true, force: true });
  }

  /** Deletes folders a crash left half-discarded. */
  async removeDiscarded(): Promise<void> {
    const names = await readdir(this.root).catch(() => [] as string[]);
    await Promise.all(
      names.filter((name) => name.endsWith(DISCARDED)).map((name) => rm(join(this.root, name), { recursive: true })),
    );
  }

  private folder(jobId: string): string {
    return join(this.root, jobId);
  }

  private segmentPath(jobId: string, index: number): string {
    return join(this.folder(jobId), `segment-${String(index).padStart(5, "0")}.pcm`);
  }
}
