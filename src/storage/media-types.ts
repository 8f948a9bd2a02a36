/** Content types of the files the server writes and serves, by extension. */
const MEDIA_TYPES: Record<string, string> = {
  wav: "audio/wav",
  mp3: "audio/mpeg",
  flac: "audio/flac",
  ogg: "audio/ogg",
  // Our `opus` exports: Ogg Opus (RFC 7845 names the type with its codec).
  opus: "audio/ogg; codecs=opus",
  webm: "audio/webm",
  // Our `aac` exports: AAC-LC in an MP4 container.
  m4a: "audio/mp4",
  // Our `pcm` exports: raw signed 16-bit little-endian mono samples, no header. No registered type fits:
  // audio/L16 (RFC 2586) means big-endian samples and needs a `rate=` parameter, which a file name cannot give,
  // so a player trusting it would play noise. Bytes it is: the format is fixed (s16le, mono) and the sample rate
  // is in the file's companion JSON (`generation_info.sample_rate`).
  pcm: "application/octet-stream",
  // Chapter books (jobs): AAC in MP4, the extension audiobook players look for.
  m4b: "audio/mp4",
  // Captions: WebVTT is registered; SubRip is not, and x-subrip is what players and browsers know it by.
  vtt: "text/vtt; charset=utf-8",
  srt: "application/x-subrip; charset=utf-8",
  json: "application/json; charset=utf-8",
  // The studio web app's files (src/http/routes/studio.ts).
  html: "text/html; charset=utf-8",
  js: "text/javascript; charset=utf-8",
  css: "text/css; charset=utf-8",
  map: "application/json; charset=utf-8",
};

export function mediaTypeFor(filename: string): string {
  const ext = filename.slice(filename.lastIndexOf(".") + 1).toLowerCase();
  return MEDIA_TYPES[ext] ?? "application/octet-stream";
}
