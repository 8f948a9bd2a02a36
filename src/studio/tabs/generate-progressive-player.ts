/**
 * Plays an MP3 answer while it is still arriving: its bytes go into a MediaSource attached to an <audio>
 * element, so playback starts after the first segment instead of after the whole text.
 */

export interface ProgressivePlayback {
  /** The blob: URL of the MediaSource, for the <audio> element's src; revoke it when it is no longer shown. */
  url: string;
  /** Resolves when every byte was appended (the audio may still be playing), rejects if the stream broke. */
  done: Promise<void>;
}

interface PlaybackOptions {
  response: Response;
  audio: HTMLAudioElement;
  /** Called once, when the first bytes are in the buffer. */
  onFirstAudio: () => void;
}

/** Chromium and Firefox stream MP3 through MediaSource; a browser without it plays saved files only. */
export function canPlayProgressively(): boolean {
  return typeof MediaSource !== "undefined" && MediaSource.isTypeSupported("audio/mpeg");
}

export function playProgressively({ response, audio, onFirstAudio }: PlaybackOptions): ProgressivePlayback {
  const source = new MediaSource();
  const url = URL.createObjectURL(source);
  audio.src = url;
  return { url, done: feed(source, response, audio, onFirstAudio) };
}

async function feed(source: MediaSource, response: Response, audio: HTMLAudioElement, onFirstAudio: () => void) {
  await new Promise((resolve) => source.addEventListener("sourceopen", resolve, { once: true }));
  const buffer = source.addSourceBuffer("audio/mpeg");
  const reader = response.body!.getReader();
  let first = true;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    await append(buffer, value);
    if (first) {
      first = false;
      onFirstAudio();
      // The element was given its source before any byte existed, so it is started by hand.
      void audio.play().catch(() => undefined);
    }
  }
  if (source.readyState === "open") source.endOfStream();
}

function append(buffer: SourceBuffer, bytes: Uint8Array): Promise<void> {
  return new Promise((resolve, reject) => {
    buffer.addEventListener("updateend", () => resolve(), { once: true });
    buffer.addEventListener("error", () => reject(new Error("the browser could not decode the streamed audio")), {
      once: true,
    });
    buffer.appendBuffer(bytes as Uint8Array<ArrayBuffer>);
  });
}
