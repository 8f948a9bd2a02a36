/**
 * Realtime: the speech WebSocket as a voice agent uses it. "Speak" sends the text as one item; "Simulate LLM"
 * sends it a few words at a time, as an LLM's answer streams in, then flushes. The audio plays as it arrives,
 * with the time to the first audio, the counts of what came back and the log of events both ways.
 */
import { useEffect, useRef, useState } from "preact/hooks";
import { ErrorMessage } from "../components/error-message";
import { VoicePicker } from "../components/voice-picker";
import { useRealtime, type Stats } from "./realtime-connection";
import { EventLog } from "./realtime-log";
import "./realtime.css";

const SAMPLE =
  "Hello! I am reading this answer while it is still being written. Each sentence is spoken as soon as it ends, " +
  "so you hear the start long before the last word arrives.";

interface Pace {
  wordsPerDelta: number;
  delayMs: number;
}

export function RealtimeTab() {
  const realtime = useRealtime();
  const [text, setText] = useState(SAMPLE);
  const [voice, setVoice] = useState("");
  const [speed, setSpeed] = useState("");
  // Kept as typed (an emptied field stays empty while the user types), read as numbers when used.
  const [wordsPerDelta, setWordsPerDelta] = useState("3");
  const [delayMs, setDelayMs] = useState("120");
  const [feeding, setFeeding] = useState(false);
  const feeder = useRef<AbortController | null>(null);
  useEffect(() => () => feeder.current?.abort(), []);

  /** The session's settings as the form has them; they apply from the next item. */
  const start = async () => {
    await realtime.begin();
    const session = { voice: voice || null, speed: speed === "" ? null : Number(speed) };
    realtime.send({ type: "session.update", session });
  };

  const speak = async () => {
    await start();
    realtime.send({ type: "input_text.append", text });
    realtime.send({ type: "input_text.flush" });
  };

  const simulate = async () => {
    await start();
    const controller = new AbortController();
    feeder.current = controller;
    setFeeding(true);
    try {
      const pace = {
        wordsPerDelta: Math.max(1, Math.floor(Number(wordsPerDelta)) || 1),
        delayMs: Math.max(0, Number(delayMs) || 0),
      };
      await feedWords(text, pace, controller.signal, (delta) =>
        realtime.send({ type: "input_text.append", text: delta }),
      );
      if (!controller.signal.aborted) realtime.send({ type: "input_text.flush" });
    } finally {
      setFeeding(false);
    }
  };

  const stop = () => {
    feeder.current?.abort();
    realtime.cancel();
  };

  const open = realtime.state === "open";
  return (
    <div class="realtime">
      <p role="status" class={`connection ${realtime.state}`}>
        {connectionLine(realtime.state, realtime.detail, realtime.sessionId)}
      </p>
      {realtime.state === "closed" && (
        <button type="button" onClick={realtime.reconnect}>
          Reconnect
        </button>
      )}
      <section aria-labelledby="realtime-input-title">
        <h3 id="realtime-input-title">Text and session</h3>
        <div class="field">
          <label for="realtime-text">Text to speak</label>
          <textarea id="realtime-text" rows={5} value={text} onInput={(e) => setText(e.currentTarget.value)} />
        </div>
        <div class="grid">
          <VoicePicker id="realtime-voice" label="Voice" value={voice} optional onChange={setVoice} />
          <NumberField
            id="realtime-speed"
            label="Speed"
            help="0.25 to 4; empty keeps the server's default (1)."
            value={speed}
            min={0.25}
            max={4}
            step="any"
            onChange={setSpeed}
          />
          <NumberField
            id="realtime-words"
            label="Words per delta (Simulate LLM)"
            help="How many words each append carries."
            value={wordsPerDelta}
            min={1}
            max={50}
            step={1}
            onChange={setWordsPerDelta}
          />
          <NumberField
            id="realtime-delay"
            label="Delay between deltas in ms (Simulate LLM)"
            help="The pace of the simulated LLM."
            value={delayMs}
            min={0}
            max={5000}
            step={10}
            onChange={setDelayMs}
          />
        </div>
        <div class="actions">
          <button
            type="button"
            class="primary"
            onClick={() => void speak()}
            disabled={!open || feeding || !text.trim()}
          >
            Speak
          </button>
          <button type="button" onClick={() => void simulate()} disabled={!open || feeding || !text.trim()}>
            Simulate LLM
          </button>
          <button type="button" onClick={stop} disabled={!open}>
            Stop (barge-in)
          </button>
        </div>
        <ErrorMessage error={realtime.lastError} />
      </section>
      <section aria-labelledby="realtime-output-title">
        <h3 id="realtime-output-title">What came back</h3>
        <StatsView stats={realtime.stats} />
        <EventLog entries={realtime.log} />
      </section>
    </div>
  );
}

interface NumberFieldProps {
  id: string;
  label: string;
  help: string;
  value: string;
  min: number;
  max: number;
  step: number | "any";
  onChange: (value: string) => void;
}

function NumberField({ id, label, help, value, min, max, step, onChange }: NumberFieldProps) {
  return (
    <div class="field">
      <label for={id}>{label}</label>
      <input
        id={id}
        type="number"
        inputMode="decimal"
        aria-describedby={`${id}-help`}
        value={value}
        min={min}
        max={max}
        step={step}
        onInput={(e) => onChange(e.currentTarget.value)}
      />
      <small id={`${id}-help`} class="help">
        {help}
      </small>
    </div>
  );
}

function StatsView({ stats }: { stats: Stats }) {
  const seconds = stats.bytes / 2 / 24_000;
  return (
    <>
      <p class="first-audio">
        Time to first audio: {stats.firstAudioMs === null ? "not yet" : `${Math.round(stats.firstAudioMs)} ms`}
      </p>
      <dl class="realtime-stats">
        <div>
          <dt>Audio deltas</dt>
          <dd>{stats.deltas}</dd>
        </div>
        <div>
          <dt>Bytes received</dt>
          <dd>{stats.bytes}</dd>
        </div>
        <div>
          <dt>Audio received</dt>
          <dd>{seconds.toFixed(2)} s</dd>
        </div>
        <div>
          <dt>Items finished</dt>
          <dd>{stats.itemsDone}</dd>
        </div>
      </dl>
    </>
  );
}

function connectionLine(state: string, detail: string, sessionId: string | undefined): string {
  if (state === "connecting") return "Connecting to the realtime session…";
  if (state === "open") return `Connected${sessionId ? ` (session ${sessionId})` : ""}.`;
  return `Disconnected: ${detail}.`;
}

/** Sends the text in small deltas at the chosen pace, each with the spaces before its words, as an LLM would. */
async function feedWords(text: string, pace: Pace, signal: AbortSignal, send: (delta: string) => void) {
  const words = text.split(/(?=\s)/);
  for (let start = 0; start < words.length && !signal.aborted; start += pace.wordsPerDelta) {
    send(words.slice(start, start + pace.wordsPerDelta).join(""));
    await new Promise((resolve) => setTimeout(resolve, pace.delayMs));
  }
}
