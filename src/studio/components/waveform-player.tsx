/**
 * An audio player with the waveform of its sound: a plain <audio controls> element (keyboard and screen
 * readers know it) above a canvas of the peaks, which shows the playback position and seeks on click.
 * Drawn here rather than by wavesurfer.js, which writes its styles into a <style> element: the studio's
 * Content-Security-Policy (style-src 'self') would admit that only with a nonce made for each response.
 */
import { useEffect, useRef, useState } from "preact/hooks";

interface WaveformPlayerProps {
  /** The sound, as a blob: URL (see blobUrl) or a same-origin path. */
  src: string;
  /** Names the player for assistive technology, e.g. "Generated speech". */
  label: string;
  autoPlay?: boolean;
}

export function WaveformPlayer({ src, label, autoPlay = false }: WaveformPlayerProps) {
  const audio = useRef<HTMLAudioElement>(null);
  const canvas = useRef<HTMLCanvasElement>(null);
  const [peaks, setPeaks] = useState<Float32Array | null>(null);
  const [progress, setProgress] = useState(0);

  useEffect(() => {
    let current = true;
    setPeaks(null);
    peaksOf(src, canvas.current?.clientWidth || 600)
      .then((found) => current && setPeaks(found))
      // An undecodable file still plays (or says why) in the <audio> element; only the picture is missing.
      .catch(() => current && setPeaks(new Float32Array(0)));
    return () => {
      current = false;
    };
  }, [src]);

  useEffect(() => {
    if (canvas.current && peaks) draw(canvas.current, peaks, progress);
  }, [peaks, progress]);

  const seek = (event: MouseEvent) => {
    const element = audio.current;
    const target = canvas.current;
    if (!element || !target || !Number.isFinite(element.duration)) return;
    const box = target.getBoundingClientRect();
    element.currentTime = ((event.clientX - box.left) / box.width) * element.duration;
  };

  return (
    <div class="waveform-player">
      <audio
        ref={audio}
        src={src}
        controls
        autoPlay={autoPlay}
        aria-label={label}
        onTimeUpdate={(e) => setProgress(e.currentTarget.currentTime / (e.currentTarget.duration || 1))}
        onEnded={() => setProgress(1)}
      />
      <canvas ref={canvas} class="waveform" height={80} onClick={seek} aria-hidden="true" />
    </div>
  );
}

/** The largest absolute sample of each of `columns` equal slices of the sound. */
async function peaksOf(src: string, columns: number): Promise<Float32Array> {
  const bytes = await (await fetch(src)).arrayBuffer();
  const context = new OfflineAudioContext(1, 1, 44_100);
  const samples = (await context.decodeAudioData(bytes)).getChannelData(0);
  const peaks = new Float32Array(columns);
  const step = Math.max(1, Math.floor(samples.length / columns));
  for (let column = 0; column < columns; column++) {
    let peak = 0;
    for (let i = column * step; i < Math.min(samples.length, (column + 1) * step); i++) {
      peak = Math.max(peak, Math.abs(samples[i]!));
    }
    peaks[column] = peak;
  }
  return peaks;
}

function draw(canvas: HTMLCanvasElement, peaks: Float32Array, progress: number): void {
  canvas.width = canvas.clientWidth || peaks.length;
  const context = canvas.getContext("2d");
  if (!context) return;
  const { width, height } = canvas;
  const style = getComputedStyle(canvas);
  context.clearRect(0, 0, width, height);
  const played = Math.round(progress * width);
  for (let x = 0; x < width; x++) {
    const peak = peaks[Math.floor((x / width) * peaks.length)] ?? 0;
    const bar = Math.max(1, peak * height);
    context.fillStyle = x < played ? style.getPropertyValue("--wave-played") : style.getPropertyValue("--wave");
    context.fillRect(x, (height - bar) / 2, 1, bar);
  }
}
