/** Audio recognised by its content (magic bytes), never by its name or a server's word: uploads and downloads. */
import { fileTypeFromFile } from "file-type";

/** Sniffed type (file-type's ext) → the extension the file is stored with. */
const EXTENSIONS: Readonly<Record<string, string>> = {
  wav: "wav",
  mp3: "mp3",
  flac: "flac",
  ogg: "ogg",
  oga: "ogg",
  opus: "opus",
  m4a: "m4a",
  mp4: "m4a",
  webm: "webm",
};

/** The accepted formats, in words for error messages. */
export const ACCEPTED_AUDIO = "WAV, MP3, FLAC, OGG (Vorbis or Opus), M4A/MP4 audio or WebM audio";

export type SniffedAudio = { extension: string } | { extension: undefined; looksLike: string };

/** The extension of the audio format the file holds: wav, mp3, flac, ogg, opus, m4a or webm; else what it looks like. */
export async function sniffAudioFile(path: string): Promise<SniffedAudio> {
  const sniffed = await fileTypeFromFile(path);
  const extension = sniffed ? EXTENSIONS[sniffed.ext] : undefined;
  if (extension) return { extension };
  return { extension: undefined, looksLike: sniffed ? `${sniffed.mime} content` : "text or an unknown format" };
}
