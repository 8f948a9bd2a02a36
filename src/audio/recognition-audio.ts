/**
 * Audio for speech recognition: any format ffmpeg reads, written as the 16 kHz mono 16-bit WAV that Whisper
 * works on. The sidecar then reads a small, plain file by path, whatever the client sent (M4A and WebM
 * included, which the sidecar's own decoder cannot read), and however long it is.
 */
import { fileUrl, runFfmpeg } from "./ffmpeg-run.js";

/** Whisper's input rate; resampling here halves what crosses to the sidecar compared with 24 kHz. */
export const RECOGNITION_SAMPLE_RATE = 16_000;

/**
 * @throws BadRequestError `INVALID_AUDIO` when the input is not decodable audio; AudioToolError when ffmpeg
 *   fails otherwise; the abort reason when `signal` aborts.
 */
export async function writeRecognitionWav(input: string, output: string, signal?: AbortSignal): Promise<void> {
  await runFfmpeg({
    args: [
      ...["-i", fileUrl(input), "-map", "0:a:0", "-vn"],
      ...["-ac", "1", "-ar", String(RECOGNITION_SAMPLE_RATE), "-c:a", "pcm_s16le", "-f", "wav", fileUrl(output)],
    ],
    action: "prepare audio for speech recognition",
    clientInput: true,
    ...(signal !== undefined ? { signal } : {}),
  });
}
