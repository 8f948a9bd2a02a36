/**
 * One realtime speech WebSocket (docs/api/realtime.md): JSON events both ways, the connection's state reported.
 * Browsers cannot set an Authorization header on a WebSocket, so the API key travels as the subprotocol
 * `openai-insecure-api-key.<key>` beside a plain one the server can name in its answer (a browser drops a
 * connection whose answer names none of the protocols it offered).
 */
import { apiKey } from "../api/client";

export type ConnectionState = "connecting" | "open" | "closed";

export interface ServerEvent {
  type: string;
  item_id?: string | null;
  audio?: string;
  session?: { id?: string; voice?: string | null };
  usage?: { input_characters: number; output_audio_ms: number };
  warnings?: string[];
  error?: { message: string; code?: string | null; param?: string | null };
}

export type ClientEvent = { type: string } & Record<string, unknown>;

interface SessionListeners {
  onState: (state: ConnectionState, detail: string) => void;
  onEvent: (event: ServerEvent) => void;
  onSent: (event: ClientEvent) => void;
}

const PATH = "/v1/audio/speech/ws";
const KEY_PROTOCOL = "openai-insecure-api-key.";

export class RealtimeSession {
  private readonly socket: WebSocket;

  constructor(private readonly listeners: SessionListeners) {
    const key = apiKey();
    const scheme = location.protocol === "https:" ? "wss:" : "ws:";
    this.socket = new WebSocket(`${scheme}//${location.host}${PATH}`, key ? ["realtime", KEY_PROTOCOL + key] : []);
    listeners.onState("connecting", "");
    this.socket.addEventListener("open", () => listeners.onState("open", ""));
    this.socket.addEventListener("close", (event) => listeners.onState("closed", closeReason(event, key !== null)));
    this.socket.addEventListener("message", (message) => {
      try {
        listeners.onEvent(JSON.parse(String(message.data)) as ServerEvent);
      } catch {
        listeners.onEvent({ type: "error", error: { message: "the server sent a frame that is not JSON" } });
      }
    });
  }

  get open(): boolean {
    return this.socket.readyState === WebSocket.OPEN;
  }

  send(event: ClientEvent): void {
    this.socket.send(JSON.stringify(event));
    this.listeners.onSent(event);
  }

  close(): void {
    this.socket.close(1000);
  }
}

/** The browser hides why an upgrade was refused (1006 for all): the likely causes are named instead. */
function closeReason(event: CloseEvent, withKey: boolean): string {
  if (event.code === 1000) return event.reason ? `closed by the server: ${event.reason}` : "closed";
  if (event.code === 1001) return "the server is shutting down";
  if (event.code === 1006) {
    const key = withKey ? "the API key is refused or lacks the realtime scope" : "the server needs an API key";
    return `the connection failed or was refused (perhaps ${key}, or the server is down)`;
  }
  return `closed with code ${event.code}${event.reason ? `: ${event.reason}` : ""}`;
}
