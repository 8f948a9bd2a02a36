/**
 * The Realtime section's live state: one session socket opened with the section and closed with it, its audio
 * played as it arrives, the counts of what came back and the time from sending to the first audio.
 */
import { useEffect, useRef, useState } from "preact/hooks";
import { PcmPlayer } from "./realtime-audio";
import { LOG_LENGTH, base64Bytes, logEntry, type LogEntry } from "./realtime-log";
import { RealtimeSession, type ClientEvent, type ConnectionState, type ServerEvent } from "./realtime-session";

export interface Stats {
  deltas: number;
  bytes: number;
  firstAudioMs: number | null;
  itemsDone: number;
}

const NO_STATS: Stats = { deltas: 0, bytes: 0, firstAudioMs: null, itemsDone: 0 };

export function useRealtime() {
  const [state, setState] = useState<{ state: ConnectionState; detail: string; sessionId?: string }>({
    state: "connecting",
    detail: "",
  });
  const [stats, setStats] = useState<Stats>(NO_STATS);
  const [log, setLog] = useState<LogEntry[]>([]);
  const [lastError, setLastError] = useState<string | null>(null);
  const [generation, setGeneration] = useState(0);
  const session = useRef<RealtimeSession | null>(null);
  const player = useRef(new PcmPlayer());
  const sentAt = useRef(0);

  const remember = (entry: LogEntry) => setLog((entries) => [...entries.slice(1 - LOG_LENGTH), entry]);

  const onEvent = (event: ServerEvent) => {
    remember(logEntry("received", event));
    if (event.type === "session.created") setState((now) => ({ ...now, sessionId: event.session?.id }));
    if (event.type === "speech.audio.delta" && event.audio) {
      player.current.play(Uint8Array.from(atob(event.audio), (char) => char.charCodeAt(0)));
      const arrived = performance.now() - sentAt.current;
      setStats((now) => ({
        ...now,
        deltas: now.deltas + 1,
        bytes: now.bytes + base64Bytes(event.audio!),
        firstAudioMs: now.firstAudioMs ?? arrived,
      }));
    }
    if (event.type === "speech.audio.done") setStats((now) => ({ ...now, itemsDone: now.itemsDone + 1 }));
    if (event.type === "error") setLastError(event.error?.message ?? "unknown error");
  };

  useEffect(() => {
    const opened = new RealtimeSession({
      onState: (next, detail) => setState((now) => ({ ...now, state: next, detail })),
      onEvent,
      onSent: (event) => remember(logEntry("sent", event)),
    });
    session.current = opened;
    // Leaving the section ends the session: the server then aborts whatever it was still speaking.
    return () => opened.close();
  }, [generation]);
  useEffect(() => () => void player.current.close(), []);

  return {
    ...state,
    stats,
    log,
    lastError,
    reconnect: () => setGeneration((count) => count + 1),
    /** Starts an utterance: counts from zero, and the clock for the first audio starts now. */
    begin: async () => {
      await player.current.resume();
      setLastError(null);
      setStats(NO_STATS);
      sentAt.current = performance.now();
    },
    send: (event: ClientEvent) => session.current?.send(event),
    /** Barge-in: the server drops what it has not sent, and what was already scheduled here falls silent. */
    cancel: () => {
      session.current?.send({ type: "response.cancel" });
      player.current.stop();
    },
  };
}
