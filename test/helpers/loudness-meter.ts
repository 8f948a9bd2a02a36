/** Loudness as a meter sees it: ffmpeg's ebur128 filter, independent of the loudnorm filter the server uses. */
import { execa } from "execa";
import type { MonoPcm } from "../../src/domain/audio.js";

export interface Ebur128 {
  /** Integrated loudness, LUFS. */
  integrated: number;
  /** True peak, dBTP. */
  truePeak: number;
}

export async function ebur128(pcm: MonoPcm): Promise<Ebur128> {
  const bytes = Buffer.from(pcm.samples.buffer, pcm.samples.byteOffset, pcm.samples.byteLength);
  const { stderr } = await execa(
    "ffmpeg",
    ["-hide_banner", "-nostats", "-f", "f32le", "-ar", String(pcm.sampleRate), "-ac", "1", "-i", "pipe:0"].concat([
      "-af",
      "ebur128=peak=true",
      "-f",
      "null",
      "-",
    ]),
    { input: bytes },
  );
  const summary = stderr.slice(stderr.lastIndexOf("Summary:"));
  const value = (re: RegExp) => Number(re.exec(summary)?.[1]);
  return { integrated: value(/I:\s+(-?[\d.]+) LUFS/), truePeak: value(/Peak:\s+(-?[\d.]+) dBFS/) };
}
