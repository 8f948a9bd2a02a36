/** The last events of the realtime session, both ways, newest at the bottom; audio shown by size, not base64. */
import { useEffect, useRef } from "preact/hooks";
import type { ClientEvent, ServerEvent } from "./realtime-session";

export interface LogEntry {
  id: number;
  direction: "sent" | "received";
  summary: string;
}

/** Enough to follow an exchange without the page growing without end. */
export const LOG_LENGTH = 60;

let counter = 0;

export function logEntry(direction: LogEntry["direction"], event: ServerEvent | ClientEvent): LogEntry {
  return { id: ++counter, direction, summary: summarize(event as ServerEvent & ClientEvent) };
}

function summarize(event: ServerEvent & ClientEvent): string {
  const item = event.item_id ? ` ${event.item_id}` : "";
  if (event.type === "speech.audio.delta") return `${event.type}${item}: ${base64Bytes(event.audio ?? "")} bytes`;
  if (event.type === "speech.audio.done" && event.usage) {
    const warnings = event.warnings?.length ? `; warnings: ${event.warnings.join("; ")}` : "";
    return `${event.type}${item}: ${event.usage.input_characters} characters, ${event.usage.output_audio_ms} ms${warnings}`;
  }
  if (event.type === "error" && event.error) return `error${item}: ${event.error.message} (${event.error.code ?? "?"})`;
  if (typeof event.text === "string") return `${event.type}: ${JSON.stringify(event.text)}`;
  if (event.session) return `${event.type}: ${JSON.stringify(event.session)}`;
  return `${event.type}${item}`;
}

export function base64Bytes(base64: string): number {
  const padding = base64.endsWith("==") ? 2 : base64.endsWith("=") ? 1 : 0;
  return (base64.length / 4) * 3 - padding;
}

export function EventLog({ entries }: { entries: readonly LogEntry[] }) {
  const list = useRef<HTMLOListElement>(null);
  useEffect(() => {
    const element = list.current;
    if (element) element.scrollTop = element.scrollHeight;
  }, [entries]);
  return (
    // Focusable so the scrolled list can be read and scrolled from the keyboard.
    <ol ref={list} class="event-log" tabIndex={0} aria-label={`Event log, the last ${LOG_LENGTH} events`}>
      {entries.length === 0 && <li>No events yet.</li>}
      {entries.map((entry) => (
        <li key={entry.id} class={entry.direction}>
          <span class="direction">{entry.direction === "sent" ? "→ sent" : "← received"}</span> {entry.summary}
        </li>
      ))}
    </ol>
  );
}
