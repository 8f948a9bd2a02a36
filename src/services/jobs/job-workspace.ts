/**
 * Each job's work folder (`<data>/jobs/<id>/`): the audio of every finished segment, kept until the job is
 * deleted so a re-render of one segment can re-assemble the rest without speaking them again. A segment file
 * is the sample rate (uint32 LE) followed by the float32 LE samples, written atomically: after a crash a
 * file is either whole or absent.
 */
import { mkdir, readFile, rm } from "node:fs/promises";
import { join } from "node:path";
import { f32leToFloat32, float32ToF32le } from "../../audio/pcm.js";
import type { MonoPcm } from "../../domain/audio.js";
import { writeFileAtomic } from "../../storage/atomic-write.js";

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

  async remove(jobId: string): Promise<void> {
    await rm(this.folder(jobId), { recursive: true, force: true });
  }

  private folder(jobId: string): string {
    return join(this.root, jobId);
  }

  private segmentPath(jobId: string, index: number): string {
    return join(this.folder(jobId), `segment-${String(index).padStart(5, "0")}.pcm`);
  }
}
