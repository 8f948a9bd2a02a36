/** Content types of the files the server writes and serves, by extension. */
const MEDIA_TYPES: Record<string, string> = {
  wav: "audio/wav",
  mp3: "audio/mpeg",
  flac: "audio/flac",
  ogg: "audio/ogg",
  opus: "audio/ogg; codecs=opus",
  webm: "audio/webm",
  m4a: "audio/mp4",
  json: "application/json; charset=utf-8",
};

export function mediaTypeFor(filename: string): string {
  const ext = filename.slice(filename.lastIndexOf(".") + 1).toLowerCase();
  return MEDIA_TYPES[ext] ?? "application/octet-stream";
}
