/**
 * Before and after, side by side: A plays the source, B the result, and the A/B button hands playback from
 * one to the other at the same moment, so the difference is heard on the same words.
 */
import { useRef, useState } from "preact/hooks";
import { WaveformPlayer } from "../components/waveform-player";

type Side = "A" | "B";

export function AbPlayers({ source, result }: { source: string; result: string }) {
  const a = useRef<HTMLDivElement>(null);
  const b = useRef<HTMLDivElement>(null);
  const [active, setActive] = useState<Side>("A");
  const audioOf = (side: Side) => (side === "A" ? a : b).current?.querySelector("audio") ?? null;

  // Whichever the user starts (here or with its own controls) becomes the chosen side, and the other stops.
  const started = (side: Side) => {
    setActive(side);
    audioOf(side === "A" ? "B" : "A")?.pause();
  };
  const toggle = () => {
    const from = audioOf(active);
    const next: Side = active === "A" ? "B" : "A";
    const to = audioOf(next);
    if (!from || !to) return;
    const at = from.currentTime;
    from.pause();
    to.currentTime = Number.isFinite(to.duration) ? Math.min(at, to.duration) : at;
    setActive(next);
    // A refused play (autoplay rules) leaves B chosen and ready at that moment; its own controls still work.
    to.play().catch(() => undefined);
  };

  return (
    <div class="ab-players">
      <div ref={a} class={active === "A" ? "ab-side active" : "ab-side"} onPlayCapture={() => started("A")}>
        <h4>A: source</h4>
        <WaveformPlayer src={source} label="A: source recording" />
      </div>
      <div ref={b} class={active === "B" ? "ab-side active" : "ab-side"} onPlayCapture={() => started("B")}>
        <h4>B: converted result</h4>
        <WaveformPlayer src={result} label="B: converted result" />
      </div>
      <div class="actions">
        <button type="button" class="primary" onClick={toggle}>
          A/B: switch to {active === "A" ? "B (result)" : "A (source)"}
        </button>
        <span role="status">Selected: {active === "A" ? "A, the source" : "B, the result"}</span>
      </div>
    </div>
  );
}
