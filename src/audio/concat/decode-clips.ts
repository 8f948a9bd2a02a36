/**
 * ffmpeg decodes the clips that cannot be streamed as they are, straight to float WAVs at the output rate in the
 * scratch folder, as mono or stereo (more channels get ffmpeg's downmix, normalised so it cannot overflow).
 * Converting between mono and stereo is left to the reader (pcm-source.ts): ffmpeg's matrix makes mono 3 dB
 * quieter in stereo, and choosing a filter per clip would need its channel count first, from a second process.
 *
 * One ffmpeg process decodes a whole batch (one input and one output per clip): starting ffmpeg costs tens of
 * milliseconds, far more than decoding a short clip. A batch that fails is decoded again clip by clip, so the
 * error names the clip at fault and the other clips still decode.
 */
import { rm } from "node:fs/promises";
import { join } from "node:path";
import { AudioToolError } from "../audio-errors.js";
import { fileUrl, runFfmpeg } from "../ffmpeg-run.js";
import type { PcmSource } from "./pcm-source.js";
import type { ClipToPrepare, PrepareContext } from "./prepare-clip.js";
import { readWavSource } from "./wav-source.js";

/**
 * Decodes `clips`; each result is the clip's decoded copy or why it could not be made (BadRequestError
 * `INVALID_AUDIO` naming the clip, AudioToolError, or the abort reason).
 */
export async function decodeClips(
  clips: readonly ClipToPrepare[],
  context: PrepareContext,
): Promise<Array<PromiseSettledResult<PcmSource>>> {
  if (clips.length === 0) return [];
  try {
    const sources = await decodeBatch(clips, context);
    return sources.map((value) => ({ status: "fulfilled", value }));
  } catch (error) {
    if (clips.length === 1 || context.signal?.aborted) return clips.map(() => ({ status: "rejected", reason: error }));
  }
  const results: Array<PromiseSettledResult<PcmSource>> = [];
  for (const clip of clips) results.push(...(await decodeClips([clip], context)));
  return results;
}

async function decodeBatch(clips: readonly ClipToPrepare[], context: PrepareContext): Promise<PcmSource[]> {
  const paths = clips.map((clip) => join(context.scratchDir, `clip-${clip.index}.wav`));
  const resample = `aresample=${context.layout.sampleRate}:rematrix_maxval=1,aformat=channel_layouts=mono|stereo`;
  const inputs = clips.flatMap((clip) => ["-i", fileUrl(clip.path)]);
  const outputs = paths.flatMap((path, k) => [
    ...["-map", `${k}:a:0`, "-af", resample],
    ...["-c:a", "pcm_f32le", "-rf64", "auto", "-f", "wav", "-y", fileUrl(path)],
  ]);
  try {
    await runFfmpeg({
      args: [...inputs, ...outputs],
      action: clips.length === 1 ? `decode "${clips[0]!.label}"` : `decode ${clips.length} clips`,
      clientInput: true,
      ...(context.signal !== undefined ? { signal: context.signal } : {}),
    });
    return await Promise.all(paths.map((path, k) => decodedSource(path, clips[k]!)));
  } catch (error) {
    await Promise.all(paths.map((path) => rm(path, { force: true })));
    throw error;
  }
}

async function decodedSource(path: string, clip: ClipToPrepare): Promise<PcmSource> {
  const source = await readWavSource(path);
  if (source === undefined) {
    throw new AudioToolError(`ffmpeg's decode of "${clip.label}" is not a float WAV`, "AUDIO_TOOL_FAILED");
  }
  return source;
}
