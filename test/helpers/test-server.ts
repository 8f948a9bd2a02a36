/** Serves a Koa app on 127.0.0.1:0 for one test file and closes it afterwards. */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type Koa from "koa";

export interface TestServer {
  baseUrl: string;
  /** The listening server, for what is served beside the app (the realtime WebSocket's upgrades). */
  server: Server;
  close(): Promise<void>;
}

export async function serve(app: Koa): Promise<TestServer> {
  const server: Server = createServer(app.callback());
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    server,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}
