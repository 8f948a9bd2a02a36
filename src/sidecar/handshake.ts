/**
 * The sidecar's one stdout line, printed once it listens: {"event":"listening","address":"127.0.0.1:<port>",
 * "pid":<pid>}. It carries the bound address, so the sidecar can listen on port 0 and no port is guessed.
 * Must match sidecar/chatterbox_sidecar (its __main__ prints it).
 */

export interface Handshake {
  /** host:port to connect to. */
  address: string;
  pid: number;
}

/** The line is not a valid handshake (the message quotes what came instead), or stdout closed first. */
export class HandshakeError extends Error {
  constructor(
    message: string,
    /** True when stdout closed without any line: the process is most likely exiting. */
    readonly stdoutClosed = false,
  ) {
    super(message);
  }
}

/** Parses the handshake line; throws HandshakeError for anything else. */
export function parseHandshake(line: string): Handshake {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    throw new HandshakeError(`expected the JSON handshake on stdout, got: ${quote(line)}`);
  }
  const record = (typeof value === "object" && value !== null ? value : {}) as Record<string, unknown>;
  const { event, address, pid } = record;
  if (event !== "listening") throw new HandshakeError(`unexpected handshake event in ${quote(line)}`);
  if (typeof address !== "string" || !/^[^\s]+:\d{1,5}$/.test(address)) {
    throw new HandshakeError(`handshake without a host:port address: ${quote(line)}`);
  }
  if (typeof pid !== "number" || !Number.isInteger(pid)) {
    throw new HandshakeError(`handshake without a pid: ${quote(line)}`);
  }
  return { address, pid };
}

function quote(line: string): string {
  return JSON.stringify(line.length > 200 ? `${line.slice(0, 200)}…` : line);
}
