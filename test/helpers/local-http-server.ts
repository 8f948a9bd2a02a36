/**
 * A tiny HTTP(S) server on a loopback address and port 0 that records every connection and request, so tests
 * can both serve content and prove that a refused URL never reached the server.
 */
import {
  createServer as createHttpServer,
  type IncomingHttpHeaders,
  type RequestListener,
  type Server,
} from "node:http";
import { createServer as createHttpsServer } from "node:https";
import type { AddressInfo, Socket } from "node:net";
import type { TLSSocket } from "node:tls";

export interface RecordedRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  /** The TLS server name (SNI) the client sent; https only. */
  servername: string | undefined;
}

export interface LocalServer {
  /** E.g. http://127.0.0.1:40123 or http://[::1]:40123. */
  origin: string;
  port: number;
  /** TCP connections accepted, including ones that never sent a request. */
  connections: number;
  requests: RecordedRequest[];
  close(): Promise<void>;
}

export interface LocalServerOptions {
  /** Default 127.0.0.1; "::1" for IPv6 loopback. */
  host?: string;
  /** Serve https with this key and certificate (PEM). */
  tls?: { key: string; cert: string };
}

export async function startLocalServer(
  handler: RequestListener,
  options: LocalServerOptions = {},
): Promise<LocalServer> {
  const host = options.host ?? "127.0.0.1";
  const requests: RecordedRequest[] = [];
  const record: RequestListener = (request, response) => {
    const servername = (request.socket as Partial<TLSSocket>).servername;
    requests.push({
      method: request.method ?? "",
      url: request.url ?? "",
      headers: request.headers,
      servername: typeof servername === "string" ? servername : undefined,
    });
    handler(request, response);
  };
  const server: Server = options.tls ? createHttpsServer(options.tls, record) : createHttpServer(record);
  const sockets = new Set<Socket>();
  const state = { connections: 0 };
  // Raw TCP connections (TLS or not): also kept so close() can end ones a test left hanging.
  server.on("connection", (socket: Socket) => {
    state.connections++;
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, host, resolve);
  });
  const { port } = server.address() as AddressInfo;
  const scheme = options.tls ? "https" : "http";
  return {
    origin: `${scheme}://${host.includes(":") ? `[${host}]` : host}:${port}`,
    port,
    get connections() {
      return state.connections;
    },
    requests,
    // Idempotent, so a test may close a server early (to get a port nobody listens on).
    close: () =>
      new Promise<void>((resolve, reject) => {
        for (const socket of sockets) socket.destroy();
        if (!server.listening) return resolve();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}
